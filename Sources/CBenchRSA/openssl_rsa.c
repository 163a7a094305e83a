// OpenSSL reference for `spki-bench rsa`.
#include "CBenchRSA.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <time.h>

struct cbench_openssl {
    EVP_PKEY *key;
    EVP_PKEY_CTX *sign;
    EVP_PKEY_CTX *verify;
    unsigned char signature[1024];
    size_t signature_length;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static EVP_PKEY_CTX *make_ctx(EVP_PKEY *key, int for_sign) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (ctx == NULL) return NULL;
    int ok = for_sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx);
    if (ok <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

cbench_openssl *cbench_openssl_new(const uint8_t *pkcs1_der, size_t length) {
    const unsigned char *p = pkcs1_der;
    EVP_PKEY *key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)length);
    if (key == NULL) return NULL;
    cbench_openssl *ctx = calloc(1, sizeof *ctx);
    ctx->key = key;
    ctx->sign = make_ctx(key, 1);
    ctx->verify = make_ctx(key, 0);
    if (ctx->sign == NULL || ctx->verify == NULL) {
        cbench_openssl_free(ctx);
        return NULL;
    }
    return ctx;
}

void cbench_openssl_free(cbench_openssl *ctx) {
    if (ctx == NULL) return;
    EVP_PKEY_CTX_free(ctx->sign);
    EVP_PKEY_CTX_free(ctx->verify);
    EVP_PKEY_free(ctx->key);
    free(ctx);
}

double cbench_openssl_sign_loop(cbench_openssl *ctx, const uint8_t *message, size_t length, long iterations) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    double start = now();
    for (long i = 0; i < iterations; i++) {
        SHA256(message, length, digest);
        ctx->signature_length = sizeof ctx->signature;
        if (EVP_PKEY_sign(ctx->sign, ctx->signature, &ctx->signature_length, digest, sizeof digest) <= 0) return -1;
    }
    return now() - start;
}

double cbench_openssl_verify_loop(cbench_openssl *ctx, const uint8_t *message, size_t length, long iterations) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(message, length, digest);
    ctx->signature_length = sizeof ctx->signature;
    if (EVP_PKEY_sign(ctx->sign, ctx->signature, &ctx->signature_length, digest, sizeof digest) <= 0) return -1;
    double start = now();
    for (long i = 0; i < iterations; i++) {
        SHA256(message, length, digest);
        if (EVP_PKEY_verify(ctx->verify, ctx->signature, ctx->signature_length, digest, sizeof digest) != 1) return -1;
    }
    return now() - start;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cbench_openssl_keygen_median(int bits, int runs) {
    double *times = calloc((size_t)runs, sizeof *times);
    for (int i = 0; i < runs; i++) {
        double start = now();
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
        EVP_PKEY *key = NULL;
        if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0 ||
            EVP_PKEY_keygen(ctx, &key) <= 0) {
            EVP_PKEY_CTX_free(ctx);
            free(times);
            return -1;
        }
        times[i] = now() - start;
        EVP_PKEY_free(key);
        EVP_PKEY_CTX_free(ctx);
    }
    qsort(times, (size_t)runs, sizeof *times, compare_doubles);
    double median = times[runs / 2];
    free(times);
    return median;
}
