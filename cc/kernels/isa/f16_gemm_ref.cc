#include <cassert>
#include <cstdint>

#include "cc/kernels/isa/half_float.h"
#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {

// The float32 gemm's loops on widened float16 weights: bias + a0*w0 + a1*w1 + ... in k order.
void f16_gemm_ref(const F16GemmArgs& p) {
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0 && p.panel_cols > 0 && p.panel_cols <= 64);
  assert(p.a != nullptr && p.w != nullptr && p.out != nullptr);
  const int cols = p.panel_cols;
  for (int r = 0; r < p.rows; ++r) {
    const float* a = p.a + r * p.a_stride;
    for (int j = 0; j < p.panels; ++j) {
      float acc[64];
      for (int c = 0; c < cols; ++c) acc[c] = p.bias != nullptr ? p.bias[j * cols + c] : 0.0f;
      const uint16_t* w = p.w + static_cast<size_t>(j) * p.k * cols;
      for (int kk = 0; kk < p.k; ++kk, w += cols) {
        for (int c = 0; c < cols; ++c) acc[c] += a[kk] * HalfToFloat(w[c]);
      }
      float* out = p.out + r * p.out_stride + j * cols;
      for (int c = 0; c < cols; ++c) out[c] = acc[c];
    }
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
