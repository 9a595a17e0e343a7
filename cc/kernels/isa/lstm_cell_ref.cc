#include <algorithm>
#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

constexpr int kVec = kVec_ref;
constexpr int kGates = 4;

// z[g][v] += h[0:k] @ block, block packed [k][kGates][kVec].
void AccumulateGates(const float* h, int k, const float* w, float (&z)[kGates][kVec]) {
  for (int kk = 0; kk < k; ++kk) {
    const float hk = h[kk];
    for (int g = 0; g < kGates; ++g) {
      for (int v = 0; v < kVec; ++v) z[g][v] += hk * w[g * kVec + v];
    }
    w += kGates * kVec;
  }
}

// z += the block's precomputed h_prev @ w (quantized / float16 weights).
void AddProductRef(const float* product, float (&z)[kGates][kVec]) {
  for (int g = 0; g < kGates; ++g) {
    for (int v = 0; v < kVec; ++v) z[g][v] += product[g * kVec + v];
  }
}

// One template for both variants so the extras differ from the plain cell only in the
// peephole terms and the clip (the plain instantiation is unchanged code).
template <bool kExtras>
void LstmCellRef(const LstmCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * kVec >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * kVec);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  assert(!kExtras || (p.peephole != nullptr && p.cell_clip >= 0.0f));
  assert(p.RangeValid());
  const int k = p.k();
  const size_t up = static_cast<size_t>(p.panels) * kVec;
  for (int r = 0; r < p.rows; ++r) {
    const float* h_prev = p.h_prev + r * p.h_stride();
    const float* c_prev = p.c_prev + r * p.state_stride;
    float* h_next = p.h_next + r * p.state_stride;
    float* c_next = p.c_next + r * p.state_stride;
    for (int j = p.panel_begin; j < p.PanelEnd(); ++j) {
      float z[kGates][kVec];
      std::memcpy(z, p.gx + r * p.gx_stride + j * kGates * kVec, sizeof(z));
      if (p.product != nullptr) {
        AddProductRef(p.product + r * p.product_stride + j * kGates * kVec, z);
      } else {
        AccumulateGates(h_prev, k, p.w + static_cast<size_t>(j) * k * kGates * kVec, z);
      }
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        const float cp = c_prev[u];
        float zi = z[0][v], zf = z[1][v], zo = z[3][v];
        if constexpr (kExtras) {
          zi += p.peephole[u] * cp;
          zf += p.peephole[up + u] * cp;
        }
        const float i = ScalarActivation(p.recurrent_activation, zi);
        const float f = ScalarActivation(p.recurrent_activation, zf);
        const float g = ScalarActivation(p.activation, z[2][v]);
        float c = f * cp + i * g;
        if constexpr (kExtras) {
          c = std::min(std::max(c, -p.cell_clip), p.cell_clip);
          zo += p.peephole[2 * up + u] * c;
        }
        const float o = ScalarActivation(p.recurrent_activation, zo);
        c_next[u] = c;
        h_next[u] = o * ScalarActivation(p.activation, c);
      }
    }
  }
}

}  // namespace

void f32_lstm_cell_ref(const LstmCellArgs& p) { LstmCellRef<false>(p); }

void f32_lstm_cell_extras_ref(const LstmCellArgs& p) { LstmCellRef<true>(p); }

}  // namespace mk
}  // namespace tflite_rnn_ops
