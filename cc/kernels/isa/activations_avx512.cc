#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx512.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_activation_avx512(Activation act, const float* x, float* y, size_t n) {
  VActivateArray<VecAvx512>(act, x, y, n);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
