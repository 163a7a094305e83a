#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include "rename_exchange.h"

#if defined(__APPLE__)
int spkic_rename_exchange(const char *from, const char *to) {
    return renamex_np(from, to, RENAME_SWAP);
}
#elif defined(__linux__)
int spkic_rename_exchange(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
}
#else
int spkic_rename_exchange(const char *from, const char *to) {
    (void)from; (void)to;
    errno = ENOSYS;
    return -1;
}
#endif
