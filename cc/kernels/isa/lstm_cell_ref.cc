#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_lstm_cell_ref(const LstmCellArgs& p) {
  constexpr int kVec = kVec_ref;
  constexpr int kGates = 4;
  assert(p.rows >= 0 && p.units > 0 && p.panels * kVec >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * kVec);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  for (int r = 0; r < p.rows; ++r) {
    const float* gx = p.gx + r * p.gx_stride;
    const float* h_prev = p.h_prev + r * p.state_stride;
    const float* c_prev = p.c_prev + r * p.state_stride;
    float* h_next = p.h_next + r * p.state_stride;
    float* c_next = p.c_next + r * p.state_stride;
    for (int j = 0; j < p.panels; ++j) {
      float z[kGates][kVec];
      std::memcpy(z, gx + j * kGates * kVec, sizeof(z));
      const float* w = p.w + static_cast<size_t>(j) * p.units * kGates * kVec;
      for (int k = 0; k < p.units; ++k) {
        const float h = h_prev[k];
        for (int g = 0; g < kGates; ++g) {
          for (int v = 0; v < kVec; ++v) z[g][v] += h * w[g * kVec + v];
        }
        w += kGates * kVec;
      }
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        const float i = ScalarActivation(p.recurrent_activation, z[0][v]);
        const float f = ScalarActivation(p.recurrent_activation, z[1][v]);
        const float g = ScalarActivation(p.activation, z[2][v]);
        const float o = ScalarActivation(p.recurrent_activation, z[3][v]);
        const float c = f * c_prev[u] + i * g;
        c_next[u] = c;
        h_next[u] = o * ScalarActivation(p.activation, c);
      }
    }
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
