// Nettle/hogweed reference for `spki-bench rsa`.
#include "CBenchRSA.h"

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/knuth-lfib.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <time.h>

struct cbench_nettle {
    struct rsa_public_key pub;
    struct rsa_private_key key;
    struct knuth_lfib_ctx random;
    mpz_t signature;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

cbench_nettle *cbench_nettle_new(const cbench_rsa_components *k) {
    cbench_nettle *ctx = calloc(1, sizeof *ctx);
    rsa_public_key_init(&ctx->pub);
    rsa_private_key_init(&ctx->key);
    mpz_init(ctx->signature);
    nettle_mpz_set_str_256_u(ctx->pub.n, k->length[0], k->value[0]);
    nettle_mpz_set_str_256_u(ctx->pub.e, k->length[1], k->value[1]);
    nettle_mpz_set_str_256_u(ctx->key.d, k->length[2], k->value[2]);
    nettle_mpz_set_str_256_u(ctx->key.p, k->length[3], k->value[3]);
    nettle_mpz_set_str_256_u(ctx->key.q, k->length[4], k->value[4]);
    nettle_mpz_set_str_256_u(ctx->key.a, k->length[5], k->value[5]);
    nettle_mpz_set_str_256_u(ctx->key.b, k->length[6], k->value[6]);
    nettle_mpz_set_str_256_u(ctx->key.c, k->length[7], k->value[7]);
    knuth_lfib_init(&ctx->random, 42);
    if (!rsa_public_key_prepare(&ctx->pub) || !rsa_private_key_prepare(&ctx->key)) {
        cbench_nettle_free(ctx);
        return NULL;
    }
    return ctx;
}

void cbench_nettle_free(cbench_nettle *ctx) {
    if (ctx == NULL) return;
    rsa_public_key_clear(&ctx->pub);
    rsa_private_key_clear(&ctx->key);
    mpz_clear(ctx->signature);
    free(ctx);
}

double cbench_nettle_sign_loop(cbench_nettle *ctx, const uint8_t *message, size_t length, long iterations) {
    struct sha256_ctx hash;
    double start = now();
    for (long i = 0; i < iterations; i++) {
        sha256_init(&hash);
        sha256_update(&hash, length, message);
        if (!rsa_sha256_sign_tr(&ctx->pub, &ctx->key, &ctx->random, (nettle_random_func *)knuth_lfib_random, &hash,
                                ctx->signature))
            return -1;
    }
    return now() - start;
}

double cbench_nettle_verify_loop(cbench_nettle *ctx, const uint8_t *message, size_t length, long iterations) {
    struct sha256_ctx hash;
    sha256_init(&hash);
    sha256_update(&hash, length, message);
    if (!rsa_sha256_sign_tr(&ctx->pub, &ctx->key, &ctx->random, (nettle_random_func *)knuth_lfib_random, &hash,
                            ctx->signature))
        return -1;
    double start = now();
    for (long i = 0; i < iterations; i++) {
        sha256_init(&hash);
        sha256_update(&hash, length, message);
        if (!rsa_sha256_verify(&ctx->pub, &hash, ctx->signature)) return -1;
    }
    return now() - start;
}
