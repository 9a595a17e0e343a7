// The two small enums the microkernels are parameterised by. They live here, at the bottom of
// the dependency graph, so the ISA leaves include nothing from the layers above them;
// activation.h (names, parsing) and dispatch.h (selection) build on these.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_TYPES_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_TYPES_H_

namespace tflite_rnn_ops {

// Elementwise activations; formulas in activation.h. Values are stable (appended only): the
// first five predate the rest.
enum class Activation : int {
  kTanh = 0,
  kSigmoid,
  kRelu,
  kHardSigmoid,
  kLinear,
  kRelu6,
  kElu,
  kSelu,
  kSoftplus,
  kSoftsign,
  kSilu,
  kGelu,
  kExponential,
  kHardSilu,
  kMish,
  kLogSigmoid,
  kLeakyRelu,
  kHardTanh,
  kTanhShrink,
  kSoftShrink,
  kHardShrink,
  kSparsePlus,
  kSquareplus,
  kCelu,
  kSparseSigmoid,
};

// Microkernel variants. kRef is always built and always usable: it is the fallback and the
// oracle for the SIMD paths.
enum class Isa : int { kRef = 0, kAvx2 = 1, kAvx512 = 2, kNeon = 3 };

// Storage type of a kernel's weight matrices (weights.h). float32 arithmetic either way: int8
// weights meet activations quantized per row per step, float16 weights are widened on load.
enum class WeightType : int { kFloat32 = 0, kFloat16 = 1, kInt8 = 2 };

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_TYPES_H_
