// Vectorised activations written once against the vector wrappers (VecAvx2, VecAvx512, ...).
// Accuracy target: <= 2e-7 absolute against the exact functions, so the SIMD LSTM stays well
// inside 1e-5 of the ref path. Include after the wrapper header; internal linkage throughout.
//
// exp(x): x = n*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2 so n*ln2_hi is exact),
// e^r = 1 + r + r^2 * P(r) with P a degree-5 least-squares fit on Chebyshev nodes (max relative
// error 1.1e-9 in float64 with the float32 coefficients), then scaled by 2^n via the exponent
// bits. Inputs are clamped to [-87, 88] so 2^n stays a normal float; both ends are far past
// where sigmoid/tanh saturate in float32.
// tanh(x): |x| < 0.625 uses x + x^3 * Q(x^2) (degree-4 fit, relative error 1e-8) because
// 1 - 2/(e^2x + 1) cancels near zero; above it the exp form is accurate to a few ulp of 1.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_

#include <cstddef>
#include <cstring>

#include "cc/kernels/activation.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V>
inline typename V::T VExp(typename V::T x) {
  using T = typename V::T;
  x = V::Min(V::Max(x, V::Set1(-87.0f)), V::Set1(88.0f));
  const T n = V::RoundNearest(V::Mul(x, V::Set1(1.44269504088896341f)));
  T r = V::Fnma(n, V::Set1(0.693145751953125f), x);  // ln2_hi has 16 bits: n*ln2_hi exact
  r = V::Fnma(n, V::Set1(1.42860682030941723e-6f), r);
  T p = V::Set1(1.9826495554298162e-4f);
  p = V::Fma(p, r, V::Set1(1.3946021208539605e-3f));
  p = V::Fma(p, r, V::Set1(8.33342969417572e-3f));
  p = V::Fma(p, r, V::Set1(4.1666269302368164e-2f));
  p = V::Fma(p, r, V::Set1(0.1666666567325592f));
  p = V::Fma(p, r, V::Set1(0.5f));
  const T er = V::Add(V::Fma(V::Mul(r, r), p, r), V::Set1(1.0f));
  return V::Mul(er, V::Pow2(n));
}

template <class V>
inline typename V::T VSigmoid(typename V::T x) {
  const typename V::T one = V::Set1(1.0f);
  return V::Div(one, V::Add(one, VExp<V>(V::Sub(V::Zero(), x))));
}

template <class V>
inline typename V::T VTanh(typename V::T x) {
  using T = typename V::T;
  const T a = V::Abs(x);
  const T a2 = V::Mul(a, a);
  T q = V::Set1(-5.7189627550542355e-3f);
  q = V::Fma(q, a2, V::Set1(2.0653124898672104e-2f));
  q = V::Fma(q, a2, V::Set1(-5.374465882778168e-2f));
  q = V::Fma(q, a2, V::Set1(0.13331513106822968f));
  q = V::Fma(q, a2, V::Set1(-0.3333328664302826f));
  const T small = V::Fma(V::Mul(a2, a), q, a);
  const T e = VExp<V>(V::Add(a, a));
  const T large = V::Sub(V::Set1(1.0f), V::Div(V::Set1(2.0f), V::Add(e, V::Set1(1.0f))));
  return V::OrSign(V::SelectLess(a, V::Set1(0.625f), small, large), x);
}

template <class V>
inline typename V::T VHardSigmoid(typename V::T x) {
  // Same operation order as the ref path (add, clamp, divide) so results match bit for bit.
  const typename V::T clamped = V::Min(V::Max(V::Add(x, V::Set1(3.0f)), V::Zero()), V::Set1(6.0f));
  return V::Div(clamped, V::Set1(6.0f));
}

template <class V>
inline typename V::T VActivate(Activation act, typename V::T x) {
  switch (act) {
    case Activation::kTanh:
      return VTanh<V>(x);
    case Activation::kSigmoid:
      return VSigmoid<V>(x);
    case Activation::kRelu:
      return V::Max(x, V::Zero());
    case Activation::kHardSigmoid:
      return VHardSigmoid<V>(x);
    case Activation::kLinear:
      return x;
  }
  return x;
}

template <class V>
void VActivateArray(Activation act, const float* x, float* y, size_t n) {
  constexpr size_t W = V::kWidth;
  size_t i = 0;
  for (; i + W <= n; i += W) V::Store(y + i, VActivate<V>(act, V::Load(x + i)));
  if (i < n) {
    // The tail goes through a full vector so it uses exactly the same code as the body.
    float buf[W] = {};
    std::memcpy(buf, x + i, sizeof(float) * (n - i));
    V::Store(buf, VActivate<V>(act, V::Load(buf)));
    std::memcpy(y + i, buf, sizeof(float) * (n - i));
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_MATH_H_
