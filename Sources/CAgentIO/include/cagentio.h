#ifndef SPKIC_CAGENTIO_H
#define SPKIC_CAGENTIO_H

#include <stddef.h>
#include <sys/socket.h>

/// The most datagrams one call moves.
#define SPKIC_IO_BATCH 64

/// Sends `count` (at most SPKIC_IO_BATCH) datagrams in one sendmmsg(2): datagram i is
/// `lengths[i]` bytes at `buffers[i]`, to `addresses[i]` of `address_lengths[i]` bytes.
/// Returns how many were sent (the first ones), or -1 with errno set.
int spkic_send_batch(int fd, void *const *buffers, const size_t *lengths,
                     const struct sockaddr *const *addresses, const socklen_t *address_lengths,
                     unsigned count);

/// Receives up to `count` (at most SPKIC_IO_BATCH) datagrams in one recvmmsg(2) without
/// waiting (MSG_DONTWAIT): datagram i lands in `buffers[i]` (`capacity` bytes each), its
/// length in `lengths[i]`. Returns how many arrived, 0 when none is queued, or -1 with errno set.
int spkic_receive_batch(int fd, void *const *buffers, size_t capacity, size_t *lengths, unsigned count);

#endif
