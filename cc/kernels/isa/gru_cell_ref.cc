#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

constexpr int kVec = kVec_ref;

// acc[g][v] += h[0:units] @ block, block packed [units][gates][kVec].
template <int kGates>
void AccumulateRef(const float* h, int units, const float* w, float (&acc)[kGates][kVec]) {
  for (int k = 0; k < units; ++k) {
    for (int g = 0; g < kGates; ++g) {
      for (int v = 0; v < kVec; ++v) acc[g][v] += h[k] * w[g * kVec + v];
    }
    w += kGates * kVec;
  }
}

void GruResetAfterRef(const GruCellArgs& p) {
  for (int r = 0; r < p.rows; ++r) {
    const float* gx = p.gx + r * p.gx_stride;
    const float* h = p.h_prev + r * p.state_stride;
    float* h_next = p.h_next + r * p.state_stride;
    for (int j = 0; j < p.panels; ++j) {
      float a[3][kVec];
      std::memcpy(a, p.recurrent_bias + j * 3 * kVec, sizeof(a));
      AccumulateRef<3>(h, p.units, p.w + static_cast<size_t>(j) * p.units * 3 * kVec, a);
      const float* x = gx + j * 3 * kVec;
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        const float z = ScalarActivation(p.recurrent_activation, x[v] + a[0][v]);
        const float rr = ScalarActivation(p.recurrent_activation, x[kVec + v] + a[1][v]);
        const float hh = ScalarActivation(p.activation, x[2 * kVec + v] + rr * a[2][v]);
        h_next[u] = z * h[u] + (1.0f - z) * hh;
      }
    }
  }
}

// r must be known for every unit before (r * h) @ w_h can start, hence two passes.
void GruResetBeforeRef(const GruCellArgs& p) {
  for (int r = 0; r < p.rows; ++r) {
    const float* gx = p.gx + r * p.gx_stride;
    const float* h = p.h_prev + r * p.state_stride;
    float* zb = p.z_buf + r * p.state_stride;
    float* rh = p.rh_buf + r * p.state_stride;
    for (int j = 0; j < p.panels; ++j) {
      float a[2][kVec] = {};
      AccumulateRef<2>(h, p.units, p.w + static_cast<size_t>(j) * p.units * 2 * kVec, a);
      const float* x = gx + j * 3 * kVec;
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        zb[u] = ScalarActivation(p.recurrent_activation, x[v] + a[0][v]);
        rh[u] = ScalarActivation(p.recurrent_activation, x[kVec + v] + a[1][v]) * h[u];
      }
    }
    float* h_next = p.h_next + r * p.state_stride;
    for (int j = 0; j < p.panels; ++j) {
      float a[1][kVec] = {};
      AccumulateRef<1>(rh, p.units, p.w_h + static_cast<size_t>(j) * p.units * kVec, a);
      const float* x = gx + j * 3 * kVec + 2 * kVec;
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        const float hh = ScalarActivation(p.activation, x[v] + a[0][v]);
        h_next[u] = zb[u] * h[u] + (1.0f - zb[u]) * hh;
      }
    }
  }
}

}  // namespace

void f32_gru_cell_ref(const GruCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * kVec >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * kVec && p.h_prev != p.h_next);
  if (p.reset_after) {
    assert(p.recurrent_bias != nullptr);
    GruResetAfterRef(p);
  } else {
    assert(p.w_h != nullptr && p.z_buf != nullptr && p.rh_buf != nullptr);
    GruResetBeforeRef(p);
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
