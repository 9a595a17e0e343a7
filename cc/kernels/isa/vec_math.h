// Vectorised elementary functions written once against the vector wrappers (VecAvx2,
// VecAvx512, ...); the activations built from them are in vec_activate.h.
// Accuracy target: <= 2e-7 absolute against the exact functions, so the SIMD LSTM stays well
// inside 1e-5 of the ref path. Include after the wrapper header; internal linkage throughout.
//
// exp(x): x = n*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2 so n*ln2_hi is exact),
// e^r = 1 + r + r^2 * P(r) with P a degree-5 least-squares fit on Chebyshev nodes (max relative
// error 1.1e-9 in float64 with the float32 coefficients), then scaled by 2^n via the exponent
// bits. Inputs are clamped to [-87, 88] so 2^n stays a normal float; both ends are far past
// where sigmoid/tanh saturate in float32.
// tanh|x| = m / (m + 2) with m = e^2|x| - 1: below |x| = 0.625 as m * (1 / (m + 2)), since
// expm1 keeps m's relative precision near 0 where 1 - 2/(m + 2) cancels; above it as
// 1 - 2 * (1 / (m + 2)), whose rounding errors 2/(m + 2) < 0.45 scales down.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_

#include <cmath>

// For the functions the fused cells' gate math calls: GCC leaves their VecGroup (vec_group.h)
// instantiations out of line by size, which passes each group of vectors through memory.
#if defined(_MSC_VER)
#define TRO_ALWAYS_INLINE __forceinline
#else
#define TRO_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

namespace tflite_rnn_ops {
namespace mk {
namespace {

// Shared reduction: x = n*ln2 + r with |r| <= ln2/2; returns e^r - 1 = r + r^2 P(r), n and,
// for x in [-87, 88], *scale = 2^n. n is x*log2e rounded by adding 1.5*2^23 + 127: floats in
// [2^23, 2^24) are the integers, so the sum's low mantissa bits hold n + 127, which one shift
// moves into the exponent field. That replaces a round instruction and a float-to-int
// conversion (both on AVX-512's port 0 only) and shortens the sigmoid's dependency chain.
template <class V>
TRO_ALWAYS_INLINE typename V::T VExpParts(typename V::T x, typename V::T* n_out, typename V::T* scale) {
  using T = typename V::T;
  const T magic = V::Set1(12583039.0f);  // 1.5 * 2^23 + 127
  const T t = V::Fma(x, V::Set1(1.44269504088896341f), magic);
  const T n = V::Sub(t, magic);
  T r = V::Fnma(n, V::Set1(0.693145751953125f), x);  // ln2_hi has 16 bits: n*ln2_hi exact
  r = V::Fnma(n, V::Set1(1.42860682030941723e-6f), r);
  T p = V::Set1(1.9826495554298162e-4f);
  p = V::Fma(p, r, V::Set1(1.3946021208539605e-3f));
  p = V::Fma(p, r, V::Set1(8.33342969417572e-3f));
  p = V::Fma(p, r, V::Set1(4.1666269302368164e-2f));
  p = V::Fma(p, r, V::Set1(0.1666666567325592f));
  p = V::Fma(p, r, V::Set1(0.5f));
  *n_out = n;
  *scale = V::ShiftIntoExponent(t);
  return V::Fma(V::Mul(r, r), p, r);
}

// 2^n (e^r - 1) + 2^n in one rounding: the same value as (e^r - 1 + 1) * 2^n, since scaling
// by 2^n is exact.
template <class V>
TRO_ALWAYS_INLINE typename V::T VExp(typename V::T x) {
  typename V::T n, s;
  x = V::Min(V::Max(x, V::Set1(-87.0f)), V::Set1(88.0f));
  const typename V::T em1 = VExpParts<V>(x, &n, &s);
  return V::Fma(em1, s, s);
}

// e^x - 1 = 2^n (e^r - 1) + (2^n - 1): for |x| < ln2/2 (n = 0) this is e^r - 1 itself, so small
// arguments keep their relative precision (exp(x) - 1 would cancel).
template <class V>
TRO_ALWAYS_INLINE typename V::T VExpm1(typename V::T x) {
  typename V::T n, s;
  x = V::Min(V::Max(x, V::Set1(-87.0f)), V::Set1(88.0f));
  const typename V::T em1 = VExpParts<V>(x, &n, &s);
  return V::Fma(em1, s, V::Sub(s, V::Set1(1.0f)));
}

// exp over the whole float range, for the exponential activation: overflow gives +inf and the
// subnormal results are kept. 2^n is applied in two halves so each factor is a normal float;
// only the second multiplication can round (once) into the subnormal range.
template <class V>
inline typename V::T VExpFull(typename V::T x) {
  using T = typename V::T;
  T n, unused_scale;  // n + 127 leaves the exponent range here: 2^n is built in two halves
  // 88.7228317f is the largest float whose exp is below FLT_MAX (the next one, 88.7228394f, is
  // 3e-7 past log(FLT_MAX) and rounds to inf); below -104 everything rounds to 0.
  const T xc = V::Min(V::Max(x, V::Set1(-104.0f)), V::Set1(88.7228317f));
  const T e = V::Add(VExpParts<V>(xc, &n, &unused_scale), V::Set1(1.0f));
  const T n1 = V::RoundNearest(V::Mul(n, V::Set1(0.5f)));
  const T y = V::Mul(V::Mul(e, V::Pow2(n1)), V::Pow2(V::Sub(n, n1)));
  return V::SelectLess(V::Set1(88.7228317f), x, V::Set1(HUGE_VALF), y);
}

// log(1 + u) for u in [0, 1] (softplus's log1p(e^-|x|)). w = 1 + u rounds, c = u - (w - 1) is
// the exact rounding error and log1p(u) = log(w) + c/w. log(w) as musl's logf: w = 2^e * m
// with m in [sqrt(2)/2, sqrt(2)], f = m - 1, s = f / (2 + f),
// log(m) = f - f^2/2 + s (f^2/2 + R(s^2)), R with musl's minimax coefficients (|err| < 2^-24).
template <class V>
inline typename V::T VLog1p(typename V::T u) {
  using T = typename V::T;
  const T one = V::Set1(1.0f);
  const T w = V::Add(one, u);
  const T c = V::Sub(u, V::Sub(w, one));
  const T sqrt2 = V::Set1(1.41421356237309505f);
  const T e = V::SelectLess(sqrt2, w, one, V::Zero());
  const T f = V::Sub(V::SelectLess(sqrt2, w, V::Mul(w, V::Set1(0.5f)), w), one);
  const T s = V::Div(f, V::Add(V::Set1(2.0f), f));
  const T z = V::Mul(s, s);
  const T z2 = V::Mul(z, z);
  const T t1 = V::Mul(z2, V::Fma(z2, V::Set1(0.24279078841209412f), V::Set1(0.40000972151756287f)));
  const T t2 = V::Mul(z, V::Fma(z2, V::Set1(0.2849878668785095f), V::Set1(0.6666666269302368f)));
  const T hfsq = V::Mul(V::Set1(0.5f), V::Mul(f, f));
  // Low-order terms first: s (hfsq + R) + e ln2_lo + c/w, then f - hfsq, then e ln2_hi.
  T lo = V::Fma(s, V::Add(hfsq, V::Add(t1, t2)), V::Mul(e, V::Set1(9.05800061445916e-06f)));
  lo = V::Add(lo, V::Div(c, w));
  return V::Fma(e, V::Set1(0.6931381225585938f), V::Add(V::Sub(f, hfsq), lo));
}

// erfc(a) for a in [0, 10]: Numerical Recipes' erfcc Chebyshev fit (fractional error < 1.2e-7),
// erfc(a) = t exp(-a^2 + P(t)), t = 1 / (1 + a/2). a^2 is split exactly (hi + lo by FMA) because
// an error in the exponent becomes a relative error of the result.
template <class V>
inline typename V::T VErfc(typename V::T a) {
  using T = typename V::T;
  const T t = V::Div(V::Set1(1.0f), V::Fma(a, V::Set1(0.5f), V::Set1(1.0f)));
  T p = V::Set1(0.17087277f);
  p = V::Fma(p, t, V::Set1(-0.82215223f));
  p = V::Fma(p, t, V::Set1(1.48851587f));
  p = V::Fma(p, t, V::Set1(-1.13520398f));
  p = V::Fma(p, t, V::Set1(0.27886807f));
  p = V::Fma(p, t, V::Set1(-0.18628806f));
  p = V::Fma(p, t, V::Set1(0.09678418f));
  p = V::Fma(p, t, V::Set1(0.37409196f));
  p = V::Fma(p, t, V::Set1(1.00002368f));
  p = V::Fma(p, t, V::Set1(-1.26551223f));
  const T hi = V::Mul(a, a);
  const T lo = V::Fma(a, a, V::Sub(V::Zero(), hi));  // a*a - hi, exactly
  return V::Mul(t, VExp<V>(V::Sub(V::Sub(p, lo), hi)));
}

template <class V>
TRO_ALWAYS_INLINE typename V::T VSigmoid(typename V::T x) {
  const typename V::T one = V::Set1(1.0f);
  return V::Recip(V::Add(one, VExp<V>(V::Sub(V::Zero(), x))));
}

template <class V>
TRO_ALWAYS_INLINE typename V::T VTanh(typename V::T x) {
  using T = typename V::T;
  const T a = V::Abs(x);
  const T m = VExpm1<V>(V::Add(a, a));
  const T y = V::Recip(V::Add(m, V::Set1(2.0f)));
  const T small = V::Mul(m, y);
  const T large = V::Fnma(V::Set1(2.0f), y, V::Set1(1.0f));
  return V::OrSign(V::SelectLess(a, V::Set1(0.625f), small, large), x);
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_
