// Vectorised activations (formulas in activation.h), written once against the vector wrappers.
// VActivate inlines the five classic activations into the fused cells; the others sit behind
// one out-of-line call (VActivateExtended), so the cells' hot loops do not grow with their
// number. Where the textbook form loses precision in float32 the same rearrangement as the ref
// path (scalar_math.h) is used. Include after the wrapper header; internal linkage throughout.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_ACTIVATE_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_ACTIVATE_H_

#include <cstddef>
#include <cstring>

#include "cc/kernels/isa/types.h"
#include "cc/kernels/isa/vec_group.h"
#include "cc/kernels/isa/vec_math.h"

#if defined(_MSC_VER)
#define TRO_NOINLINE __declspec(noinline)
#else
#define TRO_NOINLINE __attribute__((noinline))
#endif

namespace tflite_rnn_ops {
namespace mk {
namespace {

// c ? a : b for c = (lo < x), i.e. x > lo.
template <class V>
inline typename V::T VIfGreater(typename V::T x, float lo, typename V::T a, typename V::T b) {
  return V::SelectLess(V::Set1(lo), x, a, b);
}

template <class V>
inline typename V::T VHardSigmoid(typename V::T x) {
  // Same operation order as the ref path (add, clamp, divide) so results match bit for bit.
  const typename V::T clamped = V::Min(V::Max(V::Add(x, V::Set1(3.0f)), V::Zero()), V::Set1(6.0f));
  return V::Div(clamped, V::Set1(6.0f));
}

// max(x, 0) + log1p(e^-|x|). The unclamped exp matters: mish multiplies softplus(x) by x, and
// VExp's floor e^-87 times x = -1e38 would not be the 0 it should be.
template <class V>
inline typename V::T VSoftplus(typename V::T x) {
  const typename V::T em = VExpFull<V>(V::Sub(V::Zero(), V::Abs(x)));
  return V::Add(V::Max(x, V::Zero()), VLog1p<V>(em));
}

// x * Phi(x), Phi from erfc of |x|/sqrt 2 so both tails keep their precision. Beyond |x|/sqrt 2
// = 10, erfc < 3e-45: Phi is exactly 0 or 1 in float (and VErfc's domain ends there).
template <class V>
inline typename V::T VGelu(typename V::T x) {
  using T = typename V::T;
  const T a = V::Mul(V::Abs(x), V::Set1(0.70710678118654752440f));
  const T half = V::Mul(V::Set1(0.5f), VErfc<V>(V::Min(a, V::Set1(10.0f))));
  const T tail = VIfGreater<V>(a, 10.0f, V::Zero(), half);  // Phi(-|x|)
  const T phi = V::SelectLess(x, V::Zero(), tail, V::Sub(V::Set1(1.0f), tail));
  return V::Mul(x, phi);
}

// See ScalarSquareplus.
template <class V>
inline typename V::T VSquareplus(typename V::T x) {
  using T = typename V::T;
  const T a = V::Abs(x);
  const T big = V::Add(a, V::Div(V::Set1(2.0f), a));
  const T s = VIfGreater<V>(a, 1e4f, big, V::Sqrt(V::Fma(a, a, V::Set1(4.0f))));
  const T neg = V::Div(V::Set1(2.0f), V::Sub(s, x));
  const T pos = V::Fma(V::Set1(0.5f), x, V::Mul(V::Set1(0.5f), s));
  return V::SelectLess(x, V::Zero(), neg, pos);
}

template <class V>
inline typename V::T VSparsePlus(typename V::T x) {
  using T = typename V::T;
  const T x1 = V::Add(x, V::Set1(1.0f));
  const T mid = V::Mul(V::Mul(V::Set1(0.25f), x1), x1);
  const T upper = V::SelectLess(x, V::Set1(1.0f), mid, x);
  return VIfGreater<V>(x, -1.0f, upper, V::Zero());
}

template <class V>
inline typename V::T VSoftShrink(typename V::T x) {
  using T = typename V::T;
  const T inner = V::SelectLess(x, V::Set1(-0.5f), V::Add(x, V::Set1(0.5f)), V::Zero());
  return VIfGreater<V>(x, 0.5f, V::Sub(x, V::Set1(0.5f)), inner);
}

template <class V>
inline typename V::T VSparseSigmoid(typename V::T x) {
  using T = typename V::T;
  const T mid = V::Mul(V::Set1(0.5f), V::Add(x, V::Set1(1.0f)));
  const T upper = V::SelectLess(x, V::Set1(1.0f), mid, V::Set1(1.0f));
  return VIfGreater<V>(x, -1.0f, upper, V::Zero());
}

template <class V>
TRO_NOINLINE typename V::T VActivateExtended(Activation act, typename V::T x) {
  using T = typename V::T;
  const T zero = V::Zero();
  switch (act) {
    case Activation::kRelu6: return V::Min(V::Max(x, zero), V::Set1(6.0f));
    case Activation::kElu: return VIfGreater<V>(x, 0.0f, x, VExpm1<V>(x));
    case Activation::kSelu:
      return VIfGreater<V>(x, 0.0f, V::Mul(V::Set1(1.05070098735548049342f), x),
                           V::Mul(V::Set1(1.75809934084737685994f), VExpm1<V>(x)));
    case Activation::kSoftplus: return VSoftplus<V>(x);
    case Activation::kSoftsign: return V::Div(x, V::Add(V::Set1(1.0f), V::Abs(x)));
    // x / (1 + e^-x) rather than x * sigmoid(x): sigmoid's clamped exp would leave
    // silu(-1e38) at -0.6 instead of 0.
    case Activation::kSilu:
      return V::Div(x, V::Add(V::Set1(1.0f), VExpFull<V>(V::Sub(zero, x))));
    case Activation::kGelu: return VGelu<V>(x);
    case Activation::kExponential: return VExpFull<V>(x);
    case Activation::kHardSilu: return V::Mul(x, VHardSigmoid<V>(x));
    case Activation::kMish: return V::Mul(x, VTanh<V>(VSoftplus<V>(x)));
    case Activation::kLogSigmoid: return V::Sub(zero, VSoftplus<V>(V::Sub(zero, x)));
    case Activation::kLeakyRelu: return VIfGreater<V>(x, 0.0f, x, V::Mul(V::Set1(0.2f), x));
    case Activation::kHardTanh: return V::Min(V::Max(x, V::Set1(-1.0f)), V::Set1(1.0f));
    case Activation::kTanhShrink: return V::Sub(x, VTanh<V>(x));
    case Activation::kSoftShrink: return VSoftShrink<V>(x);
    case Activation::kHardShrink: return VIfGreater<V>(V::Abs(x), 0.5f, x, zero);
    case Activation::kSparsePlus: return VSparsePlus<V>(x);
    case Activation::kSquareplus: return VSquareplus<V>(x);
    case Activation::kCelu: return V::Add(V::Max(x, zero), VExpm1<V>(V::Min(x, zero)));
    case Activation::kSparseSigmoid: return VSparseSigmoid<V>(x);
    default: return x;
  }
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
    default:
      return VActivateExtended<V>(act, x);
  }
}

// x[i] = VActivate(act, x[i]) for N independent vectors, breadth first for the activations a
// cell's gates use (vec_group.h): the same bits, with N chains in flight instead of one.
template <class V, int N>
TRO_ALWAYS_INLINE void VActivateEach(Activation act, typename V::T (&x)[N]) {
  using G = VecGroup<V, N>;
  typename G::T g;
  for (int i = 0; i < N; ++i) g.v[i] = x[i];
  switch (act) {
    case Activation::kTanh: g = VTanh<G>(g); break;
    case Activation::kSigmoid: g = VSigmoid<G>(g); break;
    default:
      for (int i = 0; i < N; ++i) x[i] = VActivate<V>(act, x[i]);
      return;
  }
  for (int i = 0; i < N; ++i) x[i] = g.v[i];
}

// Four vectors at a time, as the cells' gate math runs them (VActivateEach), so the activation
// tests cover that path too.
template <class V>
void VActivateArray(Activation act, const float* x, float* y, size_t n) {
  constexpr size_t W = V::kWidth;
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    typename V::T v[4];
    for (int k = 0; k < 4; ++k) v[k] = V::Load(x + i + k * W);
    VActivateEach<V>(act, v);
    for (int k = 0; k < 4; ++k) V::Store(y + i + k * W, v[k]);
  }
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

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_ACTIVATE_H_
