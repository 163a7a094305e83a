#define _GNU_SOURCE
#include "cagentio.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

int spkic_send_batch(int fd, void *const *buffers, const size_t *lengths,
                     const struct sockaddr *const *addresses, const socklen_t *address_lengths,
                     unsigned count) {
    struct mmsghdr messages[SPKIC_IO_BATCH];
    struct iovec vectors[SPKIC_IO_BATCH];
    if (count > SPKIC_IO_BATCH) count = SPKIC_IO_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = lengths[i];
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = (void *)addresses[i];
        messages[i].msg_hdr.msg_namelen = address_lengths[i];
    }
    unsigned sent = 0;
    while (sent < count) {
        int n = sendmmsg(fd, messages + sent, count - sent, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sent > 0 ? (int)sent : -1;
        }
        if (n == 0) break;
        sent += (unsigned)n;
    }
    return (int)sent;
}

int spkic_receive_batch(int fd, void *const *buffers, size_t capacity, size_t *lengths, unsigned count) {
    struct mmsghdr messages[SPKIC_IO_BATCH];
    struct iovec vectors[SPKIC_IO_BATCH];
    if (count > SPKIC_IO_BATCH) count = SPKIC_IO_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = capacity;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < n; i++) lengths[i] = messages[i].msg_len;
    return n;
}
