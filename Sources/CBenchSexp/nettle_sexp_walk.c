#include "CBenchSexp.h"

#include <nettle/sexp.h>

int cbench_nettle_sexp_walk(const uint8_t *data, size_t length, size_t *atoms, size_t *lists) {
    struct sexp_iterator iterator;
    size_t atom_count = 0, list_count = 0;
    if (!sexp_iterator_first(&iterator, length, data)) return -1;
    for (;;) {
        switch (iterator.type) {
        case SEXP_END:
            if (iterator.level == 0) {
                *atoms = atom_count;
                *lists = list_count;
                return 0;
            }
            if (!sexp_iterator_exit_list(&iterator)) return -1;
            break;
        case SEXP_LIST:
            list_count++;
            if (!sexp_iterator_enter_list(&iterator)) return -1;
            break;
        case SEXP_ATOM:
            atom_count++;
            if (!sexp_iterator_next(&iterator)) return -1;
            break;
        }
    }
}
