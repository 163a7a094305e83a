#ifndef SPKIC_CLIBCRYPTO_SHIM_H
#define SPKIC_CLIBCRYPTO_SHIM_H

// The agent's per-SA AES-GCM context over the system's libcrypto (OpenSSL 3): the key
// schedule and the GHASH key are set up once per SA key; each packet changes only the IV.
// One C call per step, so that the data plane crosses from Swift three times per packet.
//
// Two ways through OpenSSL 3, chosen when the context is made:
// - the provider's own cipher functions (provider-cipher(7)), looked up once through the
//   public OSSL_PROVIDER_query_operation for the provider that EVP_CIPHER_fetch picks, and
//   called on a context of their own: a packet is init with the nonce and its length,
//   `update` for the AAD and the data, `final`, and the tag through the context
//   parameters with a one-entry OSSL_PARAM array. This skips EVP's per-call layer (in 3.0,
//   EVP_CipherInit_ex queries the IV length through an OSSL_PARAM round trip on every call,
//   and EVP_CIPHER_CTX_ctrl builds and parses parameters for each tag): about 50 ns less per
//   message on this machine (scripts/bench-gcm-calls.c).
// - EVP (EVP_CIPHER_CTX), the fallback where the provider's functions are not reachable
//   (a cipher from an engine, or a provider without one of them).

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/// One AES-GCM key's context: either the provider's (`algctx` and its functions) or EVP's (`evp`).
typedef struct spkic_gcm {
    void *algctx;
    OSSL_FUNC_cipher_encrypt_init_fn *encrypt_init;
    OSSL_FUNC_cipher_decrypt_init_fn *decrypt_init;
    OSSL_FUNC_cipher_update_fn *update;
    OSSL_FUNC_cipher_final_fn *final;
    OSSL_FUNC_cipher_get_ctx_params_fn *get_ctx_params;
    OSSL_FUNC_cipher_set_ctx_params_fn *set_ctx_params;
    OSSL_FUNC_cipher_freectx_fn *freectx;
    /// The fetched cipher: holds a reference on its provider, so that the functions stay loaded.
    EVP_CIPHER *fetched;
    EVP_CIPHER_CTX *evp;
} spkic_gcm;

/// Whether the colon-separated `names` (an OSSL_ALGORITHM's) include `name`, ignoring case.
static inline int spkic_gcm_names_include(const char *names, const char *name) {
    size_t length = strlen(name);
    for (const char *p = names; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ':');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == length && strncasecmp(p, name, n) == 0) return 1;
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

/// Fills `gcm`'s provider functions and makes and keys its provider context. 1, or 0 (nothing kept).
static inline int spkic_gcm_use_provider(spkic_gcm *gcm, const char *name, const uint8_t *key, size_t key_length) {
    gcm->fetched = EVP_CIPHER_fetch(NULL, name, NULL);
    const OSSL_PROVIDER *provider = gcm->fetched != NULL ? EVP_CIPHER_get0_provider(gcm->fetched) : NULL;
    if (provider == NULL) return 0;
    int no_cache = 0;
    const OSSL_ALGORITHM *algorithms = OSSL_PROVIDER_query_operation(provider, OSSL_OP_CIPHER, &no_cache);
    OSSL_FUNC_cipher_newctx_fn *newctx = NULL;
    for (const OSSL_ALGORITHM *a = algorithms; a != NULL && a->algorithm_names != NULL; a++) {
        if (!spkic_gcm_names_include(a->algorithm_names, name)) continue;
        for (const OSSL_DISPATCH *f = a->implementation; f->function_id != 0; f++) {
            switch (f->function_id) {
            case OSSL_FUNC_CIPHER_NEWCTX: newctx = OSSL_FUNC_cipher_newctx(f); break;
            case OSSL_FUNC_CIPHER_ENCRYPT_INIT: gcm->encrypt_init = OSSL_FUNC_cipher_encrypt_init(f); break;
            case OSSL_FUNC_CIPHER_DECRYPT_INIT: gcm->decrypt_init = OSSL_FUNC_cipher_decrypt_init(f); break;
            case OSSL_FUNC_CIPHER_UPDATE: gcm->update = OSSL_FUNC_cipher_update(f); break;
            case OSSL_FUNC_CIPHER_FINAL: gcm->final = OSSL_FUNC_cipher_final(f); break;
            case OSSL_FUNC_CIPHER_GET_CTX_PARAMS: gcm->get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(f); break;
            case OSSL_FUNC_CIPHER_SET_CTX_PARAMS: gcm->set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(f); break;
            case OSSL_FUNC_CIPHER_FREECTX: gcm->freectx = OSSL_FUNC_cipher_freectx(f); break;
            default: break;
            }
        }
        break;
    }
    if (algorithms != NULL) OSSL_PROVIDER_unquery_operation(provider, OSSL_OP_CIPHER, algorithms);
    if (newctx == NULL || gcm->encrypt_init == NULL || gcm->decrypt_init == NULL || gcm->update == NULL
        || gcm->final == NULL || gcm->get_ctx_params == NULL || gcm->set_ctx_params == NULL || gcm->freectx == NULL) return 0;
    gcm->algctx = newctx(OSSL_PROVIDER_get0_provider_ctx(provider));
    if (gcm->algctx == NULL) return 0;
    size_t iv_length = 12;
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_length), OSSL_PARAM_END};
    return gcm->encrypt_init(gcm->algctx, key, key_length, NULL, 0, params) == 1;
}

/// Frees a context: the provider's (whose GCM implementation clears its state, key schedule
/// and GHASH key, before freeing it) or EVP's (EVP_CIPHER_CTX_free resets the context, which
/// does the same); then the fetched cipher. NULL is allowed.
static inline void spkic_gcm_free(spkic_gcm *gcm) {
    if (gcm == NULL) return;
    if (gcm->algctx != NULL && gcm->freectx != NULL) gcm->freectx(gcm->algctx);
    if (gcm->evp != NULL) EVP_CIPHER_CTX_free(gcm->evp);
    EVP_CIPHER_free(gcm->fetched);
    OPENSSL_free(gcm);
}

/// A context for AES-128-GCM (16-byte key) or AES-256-GCM (32-byte key) with a 12-byte
/// nonce, keyed once: through the provider's functions when `direct` is 1 and they are
/// reachable, otherwise through EVP. NULL for another key length or when libcrypto fails.
/// Free it with spkic_gcm_free.
static inline spkic_gcm *spkic_gcm_new(const uint8_t *key, size_t key_length, int direct) {
    const char *name = key_length == 16 ? "AES-128-GCM" : key_length == 32 ? "AES-256-GCM" : NULL;
    if (name == NULL) return NULL;
    spkic_gcm *gcm = OPENSSL_zalloc(sizeof(spkic_gcm));
    if (gcm == NULL) return NULL;
    if (direct && spkic_gcm_use_provider(gcm, name, key, key_length)) return gcm;
    if (gcm->algctx != NULL) gcm->freectx(gcm->algctx);
    EVP_CIPHER_free(gcm->fetched);
    memset(gcm, 0, sizeof(spkic_gcm));
    const EVP_CIPHER *cipher = key_length == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    gcm->evp = EVP_CIPHER_CTX_new();
    if (gcm->evp == NULL
        || EVP_EncryptInit_ex(gcm->evp, cipher, NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(gcm->evp, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_EncryptInit_ex(gcm->evp, NULL, NULL, key, NULL) != 1) {
        spkic_gcm_free(gcm);
        return NULL;
    }
    return gcm;
}

/// Whether the context calls the provider's functions directly (1) or goes through EVP (0).
static inline int spkic_gcm_is_direct(const spkic_gcm *gcm) { return gcm->algctx != NULL; }

/// Starts one message: `encrypt` 1 to seal, 0 to open; the 12-byte `nonce`; the additional
/// data. Returns 1, or 0 on failure.
static inline int spkic_gcm_begin(spkic_gcm *gcm, int encrypt, const uint8_t *nonce,
                                  const uint8_t *aad, int aad_length) {
    if (gcm->algctx != NULL) {
        size_t n = 0;
        int started = encrypt ? gcm->encrypt_init(gcm->algctx, NULL, 0, nonce, 12, NULL)
                              : gcm->decrypt_init(gcm->algctx, NULL, 0, nonce, 12, NULL);
        // `update` takes the AAD when there is no output (as EVP_CipherUpdate passes it on).
        return started == 1
            && (aad_length == 0 || gcm->update(gcm->algctx, NULL, &n, (size_t)aad_length, aad, (size_t)aad_length) == 1);
    }
    int n = 0;
    if (EVP_CipherInit_ex(gcm->evp, NULL, NULL, NULL, nonce, encrypt) != 1) return 0;
    return aad_length == 0 || EVP_CipherUpdate(gcm->evp, NULL, &n, aad, aad_length) == 1;
}

/// Encrypts or decrypts `length` bytes from `input` to `output`, which may be the same
/// buffer (in place) but must not otherwise overlap. Returns 1, or 0 on failure.
static inline int spkic_gcm_update(spkic_gcm *gcm, const uint8_t *input, uint8_t *output, int length) {
    if (length == 0) return 1;
    if (gcm->algctx != NULL) {
        size_t n = 0;
        return gcm->update(gcm->algctx, output, &n, (size_t)length, input, (size_t)length) == 1 && n == (size_t)length;
    }
    int n = 0;
    return EVP_CipherUpdate(gcm->evp, output, &n, input, length) == 1 && n == length;
}

/// Ends a sealed message: writes its 16-byte tag. Returns 1, or 0 on failure.
static inline int spkic_gcm_seal_end(spkic_gcm *gcm, uint8_t *tag) {
    if (gcm->algctx != NULL) {
        size_t n = 0;
        OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16), OSSL_PARAM_END};
        return gcm->final(gcm->algctx, NULL, &n, 0) == 1 && gcm->get_ctx_params(gcm->algctx, params) == 1
            && params[0].return_size == 16;
    }
    uint8_t none[16];
    int n = 0;
    return EVP_EncryptFinal_ex(gcm->evp, none, &n) == 1 && EVP_CIPHER_CTX_ctrl(gcm->evp, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

/// Ends an opened message: 1 when the 16-byte `tag` verifies, 0 otherwise.
static inline int spkic_gcm_open_end(spkic_gcm *gcm, const uint8_t *tag) {
    if (gcm->algctx != NULL) {
        size_t n = 0;
        OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, 16), OSSL_PARAM_END};
        return gcm->set_ctx_params(gcm->algctx, params) == 1 && gcm->final(gcm->algctx, NULL, &n, 0) == 1;
    }
    uint8_t none[16];
    int n = 0;
    return EVP_CIPHER_CTX_ctrl(gcm->evp, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 && EVP_DecryptFinal_ex(gcm->evp, none, &n) > 0;
}

#endif
