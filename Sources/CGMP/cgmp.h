// Inline wrappers over GMP's macro-named API, so Swift can call it.
// Only the functions the BigNum target uses are wrapped.
#ifndef CGMP_H
#define CGMP_H

#include <gmp.h>
#include <stddef.h>
#include <stdint.h>

static inline void cgmp_init(mpz_ptr x) { mpz_init(x); }
static inline void cgmp_init2(mpz_ptr x, mp_bitcnt_t bits) { mpz_init2(x, bits); }
static inline void cgmp_clear(mpz_ptr x) { mpz_clear(x); }

/// Overwrites every allocated limb with zeros (through a volatile pointer, so the
/// stores are not elided), then frees the value.
static inline void cgmp_clear_secure(mpz_ptr x) {
    volatile mp_limb_t *limbs = (volatile mp_limb_t *)x->_mp_d;
    int alloc = x->_mp_alloc;
    for (int i = 0; i < alloc; i++) limbs[i] = 0;
    x->_mp_size = 0;
    mpz_clear(x);
}

/// Zeros the allocated limbs and sets the value to 0, keeping the allocation.
static inline void cgmp_wipe(mpz_ptr x) {
    volatile mp_limb_t *limbs = (volatile mp_limb_t *)x->_mp_d;
    int alloc = x->_mp_alloc;
    for (int i = 0; i < alloc; i++) limbs[i] = 0;
    x->_mp_size = 0;
}

static inline size_t cgmp_alloc_limbs(mpz_srcptr x) { return (size_t)x->_mp_alloc; }

static inline void cgmp_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline void cgmp_set_ui(mpz_ptr r, unsigned long a) { mpz_set_ui(r, a); }
static inline void cgmp_swap(mpz_ptr a, mpz_ptr b) { mpz_swap(a, b); }
static inline unsigned long cgmp_get_ui(mpz_srcptr a) { return mpz_get_ui(a); }
static inline int cgmp_fits_ulong(mpz_srcptr a) { return mpz_fits_ulong_p(a); }

static inline void cgmp_import_be(mpz_ptr r, const uint8_t *bytes, size_t count) {
    mpz_import(r, count, 1, 1, 1, 0, bytes);
}
/// Writes |a| big-endian into exactly `count` bytes, left-padded with zeros.
/// The caller checks that the value fits.
static inline void cgmp_export_be(uint8_t *out, size_t count, mpz_srcptr a) {
    size_t needed = (mpz_sizeinbase(a, 2) + 7) / 8;
    if (mpz_sgn(a) == 0) needed = 0;
    for (size_t i = 0; i < count - needed; i++) out[i] = 0;
    if (needed > 0) {
        size_t written = 0;
        mpz_export(out + (count - needed), &written, 1, 1, 1, 0, a);
    }
}

static inline size_t cgmp_sizeinbase2(mpz_srcptr a) { return mpz_sgn(a) == 0 ? 0 : mpz_sizeinbase(a, 2); }
static inline int cgmp_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline int cgmp_odd(mpz_srcptr a) { return mpz_odd_p(a); }
static inline int cgmp_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int cgmp_cmp_ui(mpz_srcptr a, unsigned long b) { return mpz_cmp_ui(a, b); }
static inline int cgmp_tstbit(mpz_srcptr a, mp_bitcnt_t bit) { return mpz_tstbit(a, bit); }
static inline void cgmp_setbit(mpz_ptr a, mp_bitcnt_t bit) { mpz_setbit(a, bit); }

static inline void cgmp_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void cgmp_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void cgmp_add_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_add_ui(r, a, b); }
static inline void cgmp_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void cgmp_sub_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_sub_ui(r, a, b); }
static inline void cgmp_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void cgmp_mul_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_mul_ui(r, a, b); }
static inline void cgmp_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t bits) { mpz_mul_2exp(r, a, bits); }
static inline void cgmp_tdiv_q_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t bits) { mpz_tdiv_q_2exp(r, a, bits); }
static inline void cgmp_mod(mpz_ptr r, mpz_srcptr a, mpz_srcptr m) { mpz_mod(r, a, m); }
static inline unsigned long cgmp_fdiv_ui(mpz_srcptr a, unsigned long m) { return mpz_fdiv_ui(a, m); }
static inline void cgmp_fdiv_q(mpz_ptr q, mpz_srcptr a, mpz_srcptr b) { mpz_fdiv_q(q, a, b); }
static inline void cgmp_divexact(mpz_ptr q, mpz_srcptr a, mpz_srcptr b) { mpz_divexact(q, a, b); }
static inline void cgmp_powm(mpz_ptr r, mpz_srcptr b, mpz_srcptr e, mpz_srcptr m) { mpz_powm(r, b, e, m); }
static inline void cgmp_powm_sec(mpz_ptr r, mpz_srcptr b, mpz_srcptr e, mpz_srcptr m) { mpz_powm_sec(r, b, e, m); }
static inline int cgmp_invert(mpz_ptr r, mpz_srcptr a, mpz_srcptr m) { return mpz_invert(r, a, m); }
static inline void cgmp_gcd(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_gcd(r, a, b); }
static inline void cgmp_lcm(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_lcm(r, a, b); }
static inline int cgmp_probab_prime(mpz_srcptr a, int reps) { return mpz_probab_prime_p(a, reps); }
static inline void cgmp_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }

// Limb access and mpn primitives, for fixed-modulus Montgomery arithmetic.
static inline size_t cgmp_size(mpz_srcptr a) { return mpz_size(a); }
static inline const mp_limb_t *cgmp_limbs_read(mpz_srcptr a) { return mpz_limbs_read(a); }
static inline mp_limb_t *cgmp_limbs_write(mpz_ptr a, mp_size_t n) { return mpz_limbs_write(a, n); }
static inline void cgmp_limbs_finish(mpz_ptr a, mp_size_t n) { mpz_limbs_finish(a, n); }
static inline void cgmp_mpn_sqr(mp_limb_t *r, const mp_limb_t *a, mp_size_t n) { mpn_sqr(r, a, n); }
static inline void cgmp_mpn_mul_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { mpn_mul_n(r, a, b, n); }
static inline mp_limb_t cgmp_mpn_addmul_1(mp_limb_t *r, const mp_limb_t *a, mp_size_t n, mp_limb_t b) { return mpn_addmul_1(r, a, n, b); }
static inline mp_limb_t cgmp_mpn_add_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_add_n(r, a, b, n); }
static inline mp_limb_t cgmp_mpn_sub_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_sub_n(r, a, b, n); }
/// Quotient and remainder of {np, nn} by {dp, dn} (dp[dn-1] != 0, nn >= dn): qp gets
/// nn - dn + 1 limbs, rp dn limbs.
static inline void cgmp_mpn_tdiv_qr(mp_limb_t *qp, mp_limb_t *rp, const mp_limb_t *np, mp_size_t nn, const mp_limb_t *dp, mp_size_t dn) { mpn_tdiv_qr(qp, rp, 0, np, nn, dp, dn); }
static inline int cgmp_mpn_cmp(const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_cmp(a, b, n); }

#endif
