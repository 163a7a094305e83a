#define _GNU_SOURCE
#include "cagentio.h"

#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
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

long spkic_send_segmented(int fd, void *const *buffers, const size_t *lengths, unsigned count,
                          unsigned segment_size, const struct sockaddr *address, socklen_t address_length) {
    struct iovec vectors[SPKIC_IO_BATCH];
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    if (count > SPKIC_IO_BATCH) count = SPKIC_IO_BATCH;
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = lengths[i];
    }
    struct msghdr message;
    memset(&message, 0, sizeof message);
    memset(&control, 0, sizeof control);
    message.msg_name = (void *)address;
    message.msg_namelen = address_length;
    message.msg_iov = vectors;
    message.msg_iovlen = count;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t size = (uint16_t)segment_size;
    memcpy(CMSG_DATA(header), &size, sizeof size);
    long sent;
    do {
        sent = sendmsg(fd, &message, 0);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

int spkic_enable_receive_coalescing(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
}

static int receive_batch(int fd, void *const *buffers, size_t capacity, size_t *lengths,
                         size_t *segment_sizes, unsigned count, int flags) {
    struct mmsghdr messages[SPKIC_IO_BATCH];
    struct iovec vectors[SPKIC_IO_BATCH];
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } controls[SPKIC_IO_BATCH];
    if (count > SPKIC_IO_BATCH) count = SPKIC_IO_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = capacity;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = controls[i].buffer;
        messages[i].msg_hdr.msg_controllen = sizeof controls[i].buffer;
    }
    int n;
    do {
        n = recvmmsg(fd, messages, count, flags, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < n; i++) {
        lengths[i] = messages[i].msg_len;
        segment_sizes[i] = messages[i].msg_len;
        struct msghdr *message = &messages[i].msg_hdr;
        for (struct cmsghdr *header = CMSG_FIRSTHDR(message); header != NULL; header = CMSG_NXTHDR(message, header)) {
            if (header->cmsg_level == SOL_UDP && header->cmsg_type == UDP_GRO) {
                int size = 0;
                memcpy(&size, CMSG_DATA(header), sizeof size);
                if (size > 0) segment_sizes[i] = (size_t)size;
            }
        }
    }
    return n;
}

int spkic_receive_batch(int fd, void *const *buffers, size_t capacity, size_t *lengths,
                        size_t *segment_sizes, unsigned count) {
    return receive_batch(fd, buffers, capacity, lengths, segment_sizes, count, MSG_DONTWAIT);
}

int spkic_receive_batch_waiting(int fd, void *const *buffers, size_t capacity, size_t *lengths,
                                size_t *segment_sizes, unsigned count) {
    return receive_batch(fd, buffers, capacity, lengths, segment_sizes, count, MSG_WAITFORONE);
}

int spkic_name_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
