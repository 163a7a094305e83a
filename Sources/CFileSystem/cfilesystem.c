#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "cfilesystem.h"

#if defined(__APPLE__)
int spkic_rename_exchange(const char *from, const char *to) {
    return renamex_np(from, to, RENAME_SWAP);
}

int spkic_syncfs(int fd) {
    (void)fd;
    sync();
    return 0;
}
#elif defined(__linux__)
int spkic_rename_exchange(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
}

int spkic_syncfs(int fd) {
    return syncfs(fd);
}
#else
int spkic_rename_exchange(const char *from, const char *to) {
    (void)from; (void)to;
    errno = ENOSYS;
    return -1;
}

int spkic_syncfs(int fd) {
    (void)fd;
    sync();
    return 0;
}
#endif
