#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {

// Plain loops over the packed layout; k runs in order so the result is the textbook sum
// bias + a0*w0 + a1*w1 + ... that the SIMD variants are compared against.
void f32_gemm_ref(const GemmArgs& p) {
  constexpr int kVec = kVec_ref;
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0 && p.gates > 0 && p.gates <= 4);
  assert(p.w != nullptr && p.bias != nullptr && p.out != nullptr);
  const int panel_width = p.gates * kVec;
  for (int r = 0; r < p.rows; ++r) {
    const float* a = p.a + r * p.a_stride;
    float* out_row = p.out + r * p.out_stride;
    for (int j = 0; j < p.panels; ++j) {
      float acc[4 * kVec];
      std::memcpy(acc, p.bias + j * panel_width, sizeof(float) * panel_width);
      const float* w = p.w + static_cast<size_t>(j) * p.k * panel_width;
      for (int kk = 0; kk < p.k; ++kk) {
        const float s = a[kk];
        for (int n = 0; n < panel_width; ++n) acc[n] += s * w[n];
        w += panel_width;
      }
      std::memcpy(out_row + j * panel_width, acc, sizeof(float) * panel_width);
    }
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
