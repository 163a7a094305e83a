#ifndef CBENCH_RSA_H
#define CBENCH_RSA_H

#include <stddef.h>
#include <stdint.h>

/// The eight values of an RSA private key, unsigned big-endian (a leading zero byte is
/// fine): n, e, d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p.
typedef struct {
    const uint8_t *value[8];
    size_t length[8];
} cbench_rsa_components;

/// Each reference implementation keeps its key and scratch state in an opaque context.
/// `*_new` returns NULL on failure. Every `*_loop` runs `iterations` operations over
/// `message` and returns the CPU seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID, so
/// other load on the machine does not count), or a negative value if an
/// operation failed.

/// OpenSSL libcrypto (EVP_PKEY_sign / EVP_PKEY_verify, PKCS#1 v1.5, SHA-256 of the message
/// computed per operation). Takes a PKCS#1 RSAPrivateKey DER.
typedef struct cbench_openssl cbench_openssl;
cbench_openssl *cbench_openssl_new(const uint8_t *pkcs1_der, size_t length);
void cbench_openssl_free(cbench_openssl *ctx);
double cbench_openssl_sign_loop(cbench_openssl *ctx, const uint8_t *message, size_t length, long iterations);
double cbench_openssl_verify_loop(cbench_openssl *ctx, const uint8_t *message, size_t length, long iterations);
/// Median seconds of `runs` OpenSSL key generations of `bits` bits.
double cbench_openssl_keygen_median(int bits, int runs);

/// Nettle/hogweed: rsa_sha256_sign_tr (blinding and a check of the result, timing
/// resistant) and rsa_sha256_verify.
typedef struct cbench_nettle cbench_nettle;
cbench_nettle *cbench_nettle_new(const cbench_rsa_components *key);
void cbench_nettle_free(cbench_nettle *ctx);
double cbench_nettle_sign_loop(cbench_nettle *ctx, const uint8_t *message, size_t length, long iterations);
double cbench_nettle_verify_loop(cbench_nettle *ctx, const uint8_t *message, size_t length, long iterations);

/// GMP alone: the least work of a GMP signer with our protections. Per operation: import
/// the encoded message, blind it (m * r^e mod n), two mpz_powm_sec halves, Garner
/// recombination, unblinding, the s^e check, squaring of the blinding pair, export.
/// `encoded` is the k-byte EMSA-PKCS1-v1_5 message representative (hashing excluded).
typedef struct cbench_gmp cbench_gmp;
cbench_gmp *cbench_gmp_new(const cbench_rsa_components *key);
void cbench_gmp_free(cbench_gmp *ctx);
double cbench_gmp_sign_loop(cbench_gmp *ctx, const uint8_t *encoded, size_t length, long iterations);

#endif
