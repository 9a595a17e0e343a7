#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_rnn_cell_ref(const RnnCellArgs& p) {
  constexpr int kVec = kVec_ref;
  assert(p.rows >= 0 && p.units > 0 && p.panels * kVec >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * kVec && p.h_prev != p.h_next);
  assert(p.RangeValid());
  for (int r = 0; r < p.rows; ++r) {
    const float* h = p.h_prev + r * p.state_stride;
    float* h_next = p.h_next + r * p.state_stride;
    for (int j = p.panel_begin; j < p.PanelEnd(); ++j) {
      float a[kVec];
      std::memcpy(a, p.gx + r * p.gx_stride + j * kVec, sizeof(a));
      if (p.product != nullptr) {
        const float* prod = p.product + r * p.product_stride + j * kVec;
        for (int v = 0; v < kVec; ++v) a[v] += prod[v];
      } else {
        const float* w = p.w + static_cast<size_t>(j) * p.units * kVec;
        for (int k = 0; k < p.units; ++k, w += kVec) {
          for (int v = 0; v < kVec; ++v) a[v] += h[k] * w[v];
        }
      }
      for (int v = 0; v < kVec; ++v) h_next[j * kVec + v] = ScalarActivation(p.activation, a[v]);
    }
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
