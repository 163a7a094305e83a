// The GMP bound for `spki-bench rsa`: the operations any GMP-based signer with CRT,
// constant-time exponentiation, base blinding and a fault check must do, and nothing else.
#include "CBenchRSA.h"

#include <gmp.h>
#include <stdlib.h>
#include <time.h>

struct cbench_gmp {
    mpz_t n, e, p, q, dp, dq, qinv;
    mpz_t blind_e, blind_inv;
    mpz_t m, t, u, s1, s2, s, check;
    size_t k;
    uint8_t out[1024];
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

cbench_gmp *cbench_gmp_new(const cbench_rsa_components *k) {
    cbench_gmp *ctx = calloc(1, sizeof *ctx);
    mpz_t *keyed[8] = {&ctx->n, &ctx->e, NULL, &ctx->p, &ctx->q, &ctx->dp, &ctx->dq, &ctx->qinv};
    for (int i = 0; i < 8; i++) {
        if (keyed[i] == NULL) continue;
        mpz_init(*keyed[i]);
        mpz_import(*keyed[i], k->length[i], 1, 1, 1, 0, k->value[i]);
    }
    size_t bits = mpz_sizeinbase(ctx->n, 2);
    ctx->k = (bits + 7) / 8;
    mpz_t *scratch[] = {&ctx->blind_e, &ctx->blind_inv, &ctx->m, &ctx->t, &ctx->u, &ctx->s1, &ctx->s2, &ctx->s, &ctx->check};
    for (size_t i = 0; i < sizeof scratch / sizeof scratch[0]; i++) mpz_init2(*scratch[i], 2 * bits + 128);
    // A fixed blinding value: r = 3^(bits/2) mod n is invertible for an RSA modulus.
    mpz_t r;
    mpz_init_set_ui(r, 3);
    mpz_powm_ui(r, r, bits / 2, ctx->n);
    if (!mpz_invert(ctx->blind_inv, r, ctx->n)) {
        mpz_clear(r);
        cbench_gmp_free(ctx);
        return NULL;
    }
    mpz_powm(ctx->blind_e, r, ctx->e, ctx->n);
    mpz_clear(r);
    return ctx;
}

void cbench_gmp_free(cbench_gmp *ctx) {
    if (ctx == NULL) return;
    mpz_t *all[] = {&ctx->n, &ctx->e, &ctx->p, &ctx->q, &ctx->dp, &ctx->dq, &ctx->qinv, &ctx->blind_e, &ctx->blind_inv,
                    &ctx->m, &ctx->t, &ctx->u, &ctx->s1, &ctx->s2, &ctx->s, &ctx->check};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) mpz_clear(*all[i]);
    free(ctx);
}

static int sign_once(cbench_gmp *c, const uint8_t *encoded, size_t length) {
    mpz_import(c->m, length, 1, 1, 1, 0, encoded);
    mpz_mul(c->u, c->m, c->blind_e);
    mpz_mod(c->t, c->u, c->n);
    mpz_mod(c->u, c->t, c->p);
    mpz_powm_sec(c->s1, c->u, c->dp, c->p);
    mpz_mod(c->u, c->t, c->q);
    mpz_powm_sec(c->s2, c->u, c->dq, c->q);
    mpz_sub(c->u, c->s1, c->s2);
    mpz_mul(c->t, c->u, c->qinv);
    mpz_mod(c->u, c->t, c->p);
    mpz_mul(c->t, c->u, c->q);
    mpz_add(c->u, c->t, c->s2);
    mpz_mul(c->t, c->u, c->blind_inv);
    mpz_mod(c->s, c->t, c->n);
    mpz_powm(c->check, c->s, c->e, c->n);
    int ok = mpz_cmp(c->check, c->m) == 0;
    mpz_mul(c->t, c->blind_e, c->blind_e);
    mpz_mod(c->blind_e, c->t, c->n);
    mpz_mul(c->t, c->blind_inv, c->blind_inv);
    mpz_mod(c->blind_inv, c->t, c->n);
    size_t written = 0;
    mpz_export(c->out, &written, 1, 1, 1, 0, c->s);
    return ok;
}

double cbench_gmp_sign_loop(cbench_gmp *ctx, const uint8_t *encoded, size_t length, long iterations) {
    double start = now();
    for (long i = 0; i < iterations; i++) {
        if (!sign_once(ctx, encoded, length)) return -1;
    }
    return now() - start;
}
