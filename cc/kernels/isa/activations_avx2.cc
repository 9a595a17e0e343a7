#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx2.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_activation_avx2(Activation act, const float* x, float* y, size_t n) {
  VActivateArray<VecAvx2>(act, x, y, n);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
