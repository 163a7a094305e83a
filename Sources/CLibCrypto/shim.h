#ifndef SPKIC_CLIBCRYPTO_SHIM_H
#define SPKIC_CLIBCRYPTO_SHIM_H

// The agent's per-SA AES-GCM context over the system's libcrypto (OpenSSL EVP): the key
// schedule and the GHASH key are set up once per SA key; each packet changes only the IV.
// One C call per step, so that the data plane crosses from Swift three times per packet.

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/// A context for AES-128-GCM (16-byte key) or AES-256-GCM (32-byte key) with a 12-byte
/// nonce, keyed once. NULL for another key length or when libcrypto fails. Free it with
/// spkic_gcm_free, which clears the key schedule and the GHASH key.
static inline EVP_CIPHER_CTX *spkic_gcm_new(const uint8_t *key, size_t key_length) {
    const EVP_CIPHER *cipher = key_length == 16 ? EVP_aes_128_gcm() : key_length == 32 ? EVP_aes_256_gcm() : NULL;
    if (cipher == NULL) return NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_EncryptInit_ex(ctx, NULL, NULL, key, NULL) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// Frees a context: EVP_CIPHER_CTX_free resets it, and OpenSSL's GCM implementation clears
/// its state (key schedule, GHASH key) before freeing it.
static inline void spkic_gcm_free(EVP_CIPHER_CTX *ctx) { EVP_CIPHER_CTX_free(ctx); }

/// Starts one message: `encrypt` 1 to seal, 0 to open; the 12-byte `nonce`; the additional
/// data. Returns 1, or 0 on failure.
static inline int spkic_gcm_begin(EVP_CIPHER_CTX *ctx, int encrypt, const uint8_t *nonce,
                                  const uint8_t *aad, int aad_length) {
    int n = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, encrypt) != 1) return 0;
    return aad_length == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, aad_length) == 1;
}

/// Encrypts or decrypts `length` bytes from `input` to `output`, which may be the same
/// buffer (in place) but must not otherwise overlap. Returns 1, or 0 on failure.
static inline int spkic_gcm_update(EVP_CIPHER_CTX *ctx, const uint8_t *input, uint8_t *output, int length) {
    int n = 0;
    return length == 0 || (EVP_CipherUpdate(ctx, output, &n, input, length) == 1 && n == length);
}

/// Ends a sealed message: writes its 16-byte tag. Returns 1, or 0 on failure.
static inline int spkic_gcm_seal_end(EVP_CIPHER_CTX *ctx, uint8_t *tag) {
    uint8_t none[16];
    int n = 0;
    return EVP_EncryptFinal_ex(ctx, none, &n) == 1 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

/// Ends an opened message: 1 when the 16-byte `tag` verifies, 0 otherwise.
static inline int spkic_gcm_open_end(EVP_CIPHER_CTX *ctx, const uint8_t *tag) {
    uint8_t none[16];
    int n = 0;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 && EVP_DecryptFinal_ex(ctx, none, &n) > 0;
}

#endif
