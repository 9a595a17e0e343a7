#include <cassert>
#include <cstdint>

#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {

// The int8 product in its plainest form: int32 sums in k order, then one float scale per
// output. The SIMD variants must equal it exactly (integer sums do not depend on the order).
void q8_gemm_ref(const Q8GemmArgs& p) {
  constexpr int kg = kQ8KGroup_ref;
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0 && p.panel_cols > 0 && p.panel_cols <= 64);
  assert(p.a != nullptr && p.a_scales != nullptr && p.w != nullptr && p.w_scales != nullptr);
  const int groups = (p.k + kg - 1) / kg;
  const int cols = p.panel_cols;
  for (int r = 0; r < p.rows; ++r) {
    const int8_t* a = static_cast<const int8_t*>(p.a) + r * p.a_stride;
    for (int j = 0; j < p.panels; ++j) {
      int32_t acc[64] = {};
      const int8_t* w = p.w + static_cast<size_t>(j) * groups * cols * kg;
      for (int kb = 0; kb < groups; ++kb) {
        for (int c = 0; c < cols; ++c) {
          for (int kk = 0; kk < kg; ++kk) {
            acc[c] += static_cast<int32_t>(a[kb * kg + kk]) * w[(kb * cols + c) * kg + kk];
          }
        }
      }
      const float* s = p.w_scales + j * cols;
      float* out = p.out + r * p.out_stride + j * cols;
      for (int c = 0; c < cols; ++c) {
        const float v = static_cast<float>(acc[c]) * (p.a_scales[r] * s[c]);
        out[c] = p.bias != nullptr ? p.bias[j * cols + c] + v : v;
      }
    }
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
