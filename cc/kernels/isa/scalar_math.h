// Scalar activations for the ref microkernels: the definitions every SIMD variant is tested
// against (formulas in activation.h). They use the C library's float functions (expm1, log1p,
// erfc), rearranged only where the textbook form loses precision in float32. Internal linkage
// on purpose: this header may also be included by files compiled with ISA flags, and an inline
// function with external linkage would let the linker pick an AVX copy for a baseline caller.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_

#include <algorithm>
#include <cmath>

#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

// tf.nn.selu's constants: scale, and scale * alpha.
constexpr float kSeluScale = 1.05070098735548049342f;
constexpr float kSeluScaleAlpha = 1.75809934084737685994f;
constexpr float kSqrtHalf = 0.70710678118654752440f;

inline float ScalarSigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

inline float ScalarHardSigmoid(float x) { return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; }

// log(1 + e^x) without overflow for large x and without losing e^x for very negative x.
inline float ScalarSoftplus(float x) {
  return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x)));
}

// (x + sqrt(x^2 + 4)) / 2; for x < 0 the equal 2 / (sqrt(x^2 + 4) - x) avoids cancellation,
// and for |x| > 1e4 sqrt(x^2 + 4) = |x| + 2/|x| to float precision (and x^2 could overflow).
inline float ScalarSquareplus(float x) {
  const float a = std::fabs(x);
  const float s = a > 1e4f ? a + 2.0f / a : std::sqrt(a * a + 4.0f);
  return x < 0.0f ? 2.0f / (s - x) : 0.5f * x + 0.5f * s;
}

inline float ScalarSparsePlus(float x) {
  if (x <= -1.0f) return 0.0f;
  if (x < 1.0f) return 0.25f * (x + 1.0f) * (x + 1.0f);
  return x;
}

inline float ScalarActivationExtended(Activation act, float x) {
  switch (act) {
    case Activation::kRelu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Activation::kElu: return x > 0.0f ? x : std::expm1(x);
    case Activation::kSelu: return x > 0.0f ? kSeluScale * x : kSeluScaleAlpha * std::expm1(x);
    case Activation::kSoftplus: return ScalarSoftplus(x);
    case Activation::kSoftsign: return x / (1.0f + std::fabs(x));
    case Activation::kSilu: return x / (1.0f + std::exp(-x));
    // Phi(x) = erfc(-x / sqrt 2) / 2 keeps its relative precision for x << 0.
    case Activation::kGelu: return x * (0.5f * std::erfc(-x * kSqrtHalf));
    case Activation::kExponential: return std::exp(x);
    case Activation::kHardSilu: return x * ScalarHardSigmoid(x);
    case Activation::kMish: return x * std::tanh(ScalarSoftplus(x));
    case Activation::kLogSigmoid: return -ScalarSoftplus(-x);
    case Activation::kLeakyRelu: return x > 0.0f ? x : 0.2f * x;
    case Activation::kHardTanh: return std::min(std::max(x, -1.0f), 1.0f);
    case Activation::kTanhShrink: return x - std::tanh(x);
    case Activation::kSoftShrink: return x > 0.5f ? x - 0.5f : (x < -0.5f ? x + 0.5f : 0.0f);
    case Activation::kHardShrink: return std::fabs(x) > 0.5f ? x : 0.0f;
    case Activation::kSparsePlus: return ScalarSparsePlus(x);
    case Activation::kSquareplus: return ScalarSquareplus(x);
    case Activation::kCelu: return std::max(x, 0.0f) + std::expm1(std::min(x, 0.0f));
    case Activation::kSparseSigmoid:
      return x <= -1.0f ? 0.0f : (x >= 1.0f ? 1.0f : 0.5f * (x + 1.0f));
    default: return x;
  }
}

inline float ScalarActivation(Activation act, float x) {
  switch (act) {
    case Activation::kTanh:
      return std::tanh(x);
    case Activation::kSigmoid:
      return ScalarSigmoid(x);
    case Activation::kRelu:
      return std::max(x, 0.0f);
    case Activation::kHardSigmoid:
      return ScalarHardSigmoid(x);
    case Activation::kLinear:
      return x;
    default:
      return ScalarActivationExtended(act, x);
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_
