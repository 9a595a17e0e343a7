#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_activation_neon(Activation act, const float* x, float* y, size_t n) {
  VActivateArray<VecNeon>(act, x, y, n);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
