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

/// Sends `count` datagrams to one address in a single sendmsg(2) with UDP generic
/// segmentation offload (UDP_SEGMENT): buffer i is one datagram; every one but the last
/// must be exactly `segment_size` bytes, the last at most that. Returns the bytes sent, or
/// -1 with errno set (EIO or EINVAL where the kernel or device cannot segment).
long spkic_send_segmented(int fd, void *const *buffers, const size_t *lengths, unsigned count,
                          unsigned segment_size, const struct sockaddr *address, socklen_t address_length);

/// Asks the kernel to deliver coalesced runs of datagrams (UDP_GRO): one receive then
/// returns several datagrams back to back, all `segment size` long but the last.
/// Returns 0, or -1 with errno set.
int spkic_enable_receive_coalescing(int fd);

/// Receives up to `count` (at most SPKIC_IO_BATCH) datagrams in one recvmmsg(2) without
/// waiting (MSG_DONTWAIT): datagram i lands in `buffers[i]` (`capacity` bytes each), its
/// length in `lengths[i]`, and, for a coalesced run (UDP_GRO), the length of each datagram
/// in it in `segment_sizes[i]` (otherwise the whole length). Returns how many arrived, 0
/// when none is queued, or -1 with errno set.
int spkic_receive_batch(int fd, void *const *buffers, size_t capacity, size_t *lengths,
                        size_t *segment_sizes, unsigned count);

/// Like spkic_receive_batch, but waits for the first datagram (MSG_WAITFORONE: a blocking
/// socket waits up to its SO_RCVTIMEO, then takes whatever else is queued without waiting):
/// one system call per wake-up instead of a failed receive, a poll and a receive.
/// Returns how many arrived, 0 when none did within the timeout, or -1 with errno set.
int spkic_receive_batch_waiting(int fd, void *const *buffers, size_t capacity, size_t *lengths,
                                size_t *segment_sizes, unsigned count);

/// Names the calling thread for the kernel (`comm`: perf, top -H), at most 15 bytes. 0, or an error number.
int spkic_name_thread(const char *name);

#endif
