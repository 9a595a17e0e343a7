#include <cassert>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_activation_ref(Activation act, const float* x, float* y, size_t n) {
  assert(n == 0 || (x != nullptr && y != nullptr));
  for (size_t i = 0; i < n; ++i) y[i] = ScalarActivation(act, x[i]);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
