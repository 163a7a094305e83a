#ifndef SPKIC_CFILESYSTEM_H
#define SPKIC_CFILESYSTEM_H

/// Atomically swaps two existing paths (files or directories) in one step, so that a
/// reader of either path sees the old or the new content, never neither. Returns 0, or -1
/// with errno set (ENOSYS or EINVAL where the file system or kernel cannot do it).
int spkic_rename_exchange(const char *from, const char *to);

/// Flushes to disk everything written to the file system that holds the open file `fd`:
/// one call instead of an fsync per file. Returns 0, or -1 with errno set.
int spkic_syncfs(int fd);

#endif
