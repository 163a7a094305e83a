// Micro-benchmark of per-packet AES-128-GCM call sequences over one reused context in
// OpenSSL 3.0 (issue 9, item 4: the agent's EVP per-call overhead). Each variant seals and
// opens ESP-like messages (12-byte nonce, 8-byte AAD, 16-byte tag) of a given size with the
// key set up once; every variant's output is checked against the first one's, byte for byte,
// and a tampered tag must be refused. The first and last variants are the agent's own
// (Sources/CLibCrypto/shim.h: its EVP fallback, and its default, the provider's functions
// called directly). Build and run:
//   cc -O2 -o /tmp/bench-gcm-calls scripts/bench-gcm-calls.c -lcrypto && /tmp/bench-gcm-calls
// Prints CPU nanoseconds per seal and per open for each variant and size (best of 7 rounds).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../Sources/CLibCrypto/shim.h"

typedef struct {
    EVP_CIPHER_CTX *ctx;  // for the EVP variants written out here
    spkic_gcm *evp;       // the agent's shim through EVP
    spkic_gcm *direct;    // the agent's shim calling the provider's functions
} Context;

typedef int (*SealFn)(Context *, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                      const uint8_t *in, uint8_t *out, int length, uint8_t *tag);
typedef int (*OpenFn)(Context *, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                      const uint8_t *in, uint8_t *out, int length, const uint8_t *tag);

// 0. The agent's shim through EVP (what the agent did before): EVP_CipherInit_ex with the nonce,
//    Update, Final, ctrl for the tag.
static int shim_seal(spkic_gcm *g, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                     const uint8_t *in, uint8_t *out, int length, uint8_t *tag) {
    return spkic_gcm_begin(g, 1, nonce, aad, aad_length) && spkic_gcm_update(g, in, out, length) && spkic_gcm_seal_end(g, tag);
}
static int shim_open(spkic_gcm *g, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                     const uint8_t *in, uint8_t *out, int length, const uint8_t *tag) {
    return spkic_gcm_begin(g, 0, nonce, aad, aad_length) && spkic_gcm_update(g, in, out, length) && spkic_gcm_open_end(g, tag);
}
static int seal_current(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                        const uint8_t *in, uint8_t *out, int length, uint8_t *tag) {
    return shim_seal(c->evp, nonce, aad, aad_length, in, out, length, tag);
}
static int open_current(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                        const uint8_t *in, uint8_t *out, int length, const uint8_t *tag) {
    return shim_open(c->evp, nonce, aad, aad_length, in, out, length, tag);
}

// 1. EVP_CipherInit_ex2 with the nonce only.
static int seal_init2(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                      const uint8_t *in, uint8_t *out, int length, uint8_t *tag) {
    int n = 0;
    uint8_t none[16];
    return EVP_CipherInit_ex2(c->ctx, NULL, NULL, nonce, 1, NULL) == 1
        && EVP_CipherUpdate(c->ctx, NULL, &n, aad, aad_length) == 1
        && EVP_CipherUpdate(c->ctx, out, &n, in, length) == 1
        && EVP_EncryptFinal_ex(c->ctx, none, &n) == 1
        && EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}
static int open_init2(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                      const uint8_t *in, uint8_t *out, int length, const uint8_t *tag) {
    int n = 0;
    uint8_t none[16];
    return EVP_CipherInit_ex2(c->ctx, NULL, NULL, nonce, 0, NULL) == 1
        && EVP_CipherUpdate(c->ctx, NULL, &n, aad, aad_length) == 1
        && EVP_CipherUpdate(c->ctx, out, &n, in, length) == 1
        && EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1
        && EVP_DecryptFinal_ex(c->ctx, none, &n) > 0;
}

// 2. EVP_Cipher (the provider's one-shot `cipher` function: AAD with out NULL, final with in NULL),
//    the tag through EVP_CIPHER_CTX_get_params/set_params with a one-entry OSSL_PARAM array.
static int seal_evpcipher(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                          const uint8_t *in, uint8_t *out, int length, uint8_t *tag) {
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16), OSSL_PARAM_END};
    return EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, nonce, 1) == 1
        && EVP_Cipher(c->ctx, NULL, aad, (unsigned)aad_length) >= 0
        && EVP_Cipher(c->ctx, out, in, (unsigned)length) >= 0
        && EVP_Cipher(c->ctx, NULL, NULL, 0) >= 0
        && EVP_CIPHER_CTX_get_params(c->ctx, params) == 1;
}
static int open_evpcipher(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                          const uint8_t *in, uint8_t *out, int length, const uint8_t *tag) {
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, 16), OSSL_PARAM_END};
    return EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, nonce, 0) == 1
        && EVP_Cipher(c->ctx, NULL, aad, (unsigned)aad_length) >= 0
        && EVP_Cipher(c->ctx, out, in, (unsigned)length) >= 0
        && EVP_CIPHER_CTX_set_params(c->ctx, params) == 1
        && EVP_Cipher(c->ctx, NULL, NULL, 0) >= 0;
}

// 3. The agent's shim calling the provider's dispatch functions directly on its own context
//    (OSSL_PROVIDER_query_operation): init with the nonce and its length (no IV-length query),
//    `update` for AAD and data, `final`, the tag through get/set_ctx_params with a one-entry array.
static int seal_provider(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                         const uint8_t *in, uint8_t *out, int length, uint8_t *tag) {
    return shim_seal(c->direct, nonce, aad, aad_length, in, out, length, tag);
}
static int open_provider(Context *c, const uint8_t *nonce, const uint8_t *aad, int aad_length,
                         const uint8_t *in, uint8_t *out, int length, const uint8_t *tag) {
    return shim_open(c->direct, nonce, aad, aad_length, in, out, length, tag);
}

static int setup(Context *c, const uint8_t *key) {
    c->ctx = EVP_CIPHER_CTX_new();
    c->evp = spkic_gcm_new(key, 16, 0);
    c->direct = spkic_gcm_new(key, 16, 1);
    return c->evp != NULL && c->direct != NULL && spkic_gcm_is_direct(c->direct)
        && EVP_EncryptInit_ex(c->ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1
        && EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
        && EVP_EncryptInit_ex(c->ctx, NULL, NULL, key, NULL) == 1;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
    static const struct { const char *name; SealFn seal; OpenFn open; } variants[] = {
        {"EVP: CipherInit_ex, Update, Final, ctrl (shim)", seal_current, open_current},
        {"EVP_CipherInit_ex2", seal_init2, open_init2},
        {"EVP_Cipher + CTX get/set_params", seal_evpcipher, open_evpcipher},
        {"provider's functions, direct (shim default)", seal_provider, open_provider},
    };
    const int variant_count = sizeof variants / sizeof variants[0];
    int sizes[] = {64, 1400, 8192, 65000};
    uint8_t key[16], nonce[12], aad[8];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)(i * 7 + 1);
    for (int i = 0; i < 12; i++) nonce[i] = (uint8_t)(i * 13 + 5);
    for (int i = 0; i < 8; i++) aad[i] = (uint8_t)(i + 100);
    Context c;
    if (!setup(&c, key)) { fprintf(stderr, "setup failed\n"); return 3; }
    uint8_t *plain = malloc(65536), *sealed = malloc(65536), *reference = malloc(65536), *opened = malloc(65536);
    for (int i = 0; i < 65536; i++) plain[i] = (uint8_t)(i * 31);
    int failures = 0;
    // Correctness: each variant seals as the first does, opens its own and the first's, refuses a bad tag.
    for (int s = 0; s < 4; s++) {
        int length = sizes[s];
        uint8_t reference_tag[16];
        if (!variants[0].seal(&c, nonce, aad, 8, plain, reference, length, reference_tag)) failures++;
        for (int v = 0; v < variant_count; v++) {
            uint8_t tag[16];
            if (!variants[v].seal(&c, nonce, aad, 8, plain, sealed, length, tag)
                || memcmp(sealed, reference, length) != 0 || memcmp(tag, reference_tag, 16) != 0) {
                printf("FAIL seal %s %d\n", variants[v].name, length); failures++;
            }
            if (!variants[v].open(&c, nonce, aad, 8, reference, opened, length, reference_tag) || memcmp(opened, plain, length) != 0) {
                printf("FAIL open %s %d\n", variants[v].name, length); failures++;
            }
            tag[3] ^= 1;
            if (variants[v].open(&c, nonce, aad, 8, reference, opened, length, tag)) {
                printf("FAIL tamper accepted %s %d\n", variants[v].name, length); failures++;
            }
            // After a refusal the context still works.
            if (!variants[v].open(&c, nonce, aad, 8, reference, opened, length, reference_tag)) {
                printf("FAIL open after refusal %s %d\n", variants[v].name, length); failures++;
            }
        }
    }
    if (failures) return 1;
    int only = argc > 1 ? atoi(argv[1]) : -1;
    // Rounds interleave the variants (load on a shared machine drifts); the best round counts.
    // Times are the thread's CPU time.
    printf("%-46s %7s %10s %10s\n", "variant", "bytes", "seal ns", "open ns");
    for (int s = 0; s < 4; s++) {
        int length = sizes[s];
        int iterations = length < 2000 ? 200000 : length < 10000 ? 40000 : 5000;
        double best_seal[8], best_open[8];
        for (int v = 0; v < variant_count; v++) best_seal[v] = best_open[v] = 1e18;
        uint8_t tag[16];
        variants[0].seal(&c, nonce, aad, 8, plain, sealed, length, tag);
        for (int round = 0; round < 7; round++) {
            for (int v = 0; v < variant_count; v++) {
                if (only >= 0 && v != only) continue;
                uint8_t scratch_tag[16];
                double t0 = now_ns();
                for (int i = 0; i < iterations; i++) variants[v].seal(&c, nonce, aad, 8, plain, reference, length, scratch_tag);
                double t1 = now_ns();
                for (int i = 0; i < iterations; i++) variants[v].open(&c, nonce, aad, 8, sealed, opened, length, tag);
                double t2 = now_ns();
                if ((t1 - t0) / iterations < best_seal[v]) best_seal[v] = (t1 - t0) / iterations;
                if ((t2 - t1) / iterations < best_open[v]) best_open[v] = (t2 - t1) / iterations;
            }
        }
        for (int v = 0; v < variant_count; v++) {
            if (only >= 0 && v != only) continue;
            printf("%-46s %7d %10.1f %10.1f\n", variants[v].name, length, best_seal[v], best_open[v]);
        }
    }
    spkic_gcm_free(c.evp);
    spkic_gcm_free(c.direct);
    EVP_CIPHER_CTX_free(c.ctx);
    return 0;
}
