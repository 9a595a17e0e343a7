#include <cassert>
#include <cstring>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/scalar_math.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

constexpr int kVec = kVec_ref;

// acc[g][v] += h[0:units] @ block, block packed [units][gates][kVec].
// With `product` (quantized / float16 weights) the block's h @ w was computed by the driver.
template <int kGates>
void AccumulateRef(const float* h, int units, const float* w_base, int panel,
                   const float* product, float (&acc)[kGates][kVec]) {
  if (product != nullptr) {
    for (int g = 0; g < kGates; ++g) {
      for (int v = 0; v < kVec; ++v) acc[g][v] += product[g * kVec + v];
    }
    return;
  }
  const float* w = w_base + static_cast<size_t>(panel) * units * kGates * kVec;
  for (int k = 0; k < units; ++k) {
    for (int g = 0; g < kGates; ++g) {
      for (int v = 0; v < kVec; ++v) acc[g][v] += h[k] * w[g * kVec + v];
    }
    w += kGates * kVec;
  }
}

const float* ProductRow(const float* product, const GruCellArgs& p, int r, int j, int gates) {
  return product == nullptr ? nullptr : product + r * p.product_stride + j * gates * kVec;
}

void GruResetAfterRef(const GruCellArgs& p) {
  for (int r = 0; r < p.rows; ++r) {
    const float* gx = p.gx + r * p.gx_stride;
    const float* h = p.h_prev + r * p.state_stride;
    float* h_next = p.h_next + r * p.state_stride;
    for (int j = p.panel_begin; j < p.PanelEnd(); ++j) {
      float a[3][kVec];
      std::memcpy(a, p.recurrent_bias + j * 3 * kVec, sizeof(a));
      AccumulateRef<3>(h, p.units, p.w, j,
                       ProductRow(p.product, p, r, j, 3), a);
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
    for (int j = p.panel_begin; j < p.PanelEnd() && p.phase != GruPhase::kCandidate; ++j) {
      float a[2][kVec] = {};
      AccumulateRef<2>(h, p.units, p.w, j,
                       ProductRow(p.product, p, r, j, 2), a);
      const float* x = gx + j * 3 * kVec;
      for (int v = 0; v < kVec; ++v) {
        const int u = j * kVec + v;
        zb[u] = ScalarActivation(p.recurrent_activation, x[v] + a[0][v]);
        rh[u] = ScalarActivation(p.recurrent_activation, x[kVec + v] + a[1][v]) * h[u];
      }
    }
    float* h_next = p.h_next + r * p.state_stride;
    for (int j = p.panel_begin; j < p.PanelEnd() && p.phase != GruPhase::kGates; ++j) {
      float a[1][kVec] = {};
      AccumulateRef<1>(rh, p.units, p.w_h, j,
                       ProductRow(p.product_h, p, r, j, 1), a);
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
  assert(p.RangeValid());
  if (p.reset_after) {
    assert(p.recurrent_bias != nullptr);
    GruResetAfterRef(p);
  } else {
    assert(p.z_buf != nullptr && p.rh_buf != nullptr);
    assert(p.phase == GruPhase::kGates || p.w_h != nullptr || p.product_h != nullptr);
    GruResetBeforeRef(p);
  }
}

}  // namespace mk
}  // namespace tflite_rnn_ops
