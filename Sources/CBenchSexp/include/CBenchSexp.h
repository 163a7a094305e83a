#ifndef CBENCH_SEXP_H
#define CBENCH_SEXP_H

#include <stddef.h>
#include <stdint.h>

/// Walks every node of a canonical S-expression stream with nettle's sexp_iterator,
/// counting atoms and lists. Returns 0 on success, -1 if nettle rejects the input.
int cbench_nettle_sexp_walk(const uint8_t *data, size_t length, size_t *atoms, size_t *lists);

#endif
