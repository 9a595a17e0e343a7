// Scalar activations for the ref microkernels: the definitions every SIMD variant is tested
// against. Internal linkage on purpose: this header may also be included by files compiled with
// ISA flags, and an inline function with external linkage would let the linker pick an AVX
// copy for a baseline caller.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_

#include <algorithm>
#include <cmath>

#include "cc/kernels/activation.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

inline float ScalarActivation(Activation act, float x) {
  switch (act) {
    case Activation::kTanh:
      return std::tanh(x);
    case Activation::kSigmoid:
      return 1.0f / (1.0f + std::exp(-x));
    case Activation::kRelu:
      return std::max(x, 0.0f);
    case Activation::kHardSigmoid:
      return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case Activation::kLinear:
      return x;
  }
  return x;
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_SCALAR_MATH_H_
