// Fused GRU step shared by the SIMD variants (math in microkernels.h, GruCellArgs).
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_GRU_CELL_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_GRU_CELL_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V>
inline typename V::T GruBlend(typename V::T z, typename V::T h, typename V::T hh) {
  // z*h + (1-z)*hh with the same two products as the ref path.
  return V::Fma(z, h, V::Mul(V::Sub(V::Set1(1.0f), z), hh));
}

template <class V, int RB>
void GruResetAfterTile(const GruCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.state_stride;
  const int n = p.PanelEnd() - p.panel_begin;
  for (int jj = 0; jj < n; ++jj) {
    const int j = p.panel_begin + PanelAt(jj, n, p.backward);
    T a[RB][3];
    for (int g = 0; g < 3; ++g) {
      const T b = V::Load(p.recurrent_bias + (j * 3 + g) * W);
      for (int r = 0; r < RB; ++r) a[r][g] = b;
    }
    if (p.product != nullptr) {
      AddProduct<V, RB, 3>(p.product + j * 3 * W, p.product_stride, r0, a);
    } else {
      AccumulateBlock<V, RB, 3>(h, p.units, p.w + static_cast<size_t>(j) * p.units * 3 * W, a);
    }
    // A gate at a time across the RB rows (VActivateEach): zr[r] = z, zr[RB + r] = r.
    T zr[2 * RB], hh[RB];
    const float* x[RB];
    for (int r = 0; r < RB; ++r) {
      x[r] = p.gx + (r0 + r) * p.gx_stride + j * 3 * W;
      zr[r] = V::Add(V::Load(x[r]), a[r][0]);
      zr[RB + r] = V::Add(V::Load(x[r] + W), a[r][1]);
    }
    VActivateEach<V>(p.recurrent_activation, zr);
    for (int r = 0; r < RB; ++r) hh[r] = V::Fma(zr[RB + r], a[r][2], V::Load(x[r] + 2 * W));
    VActivateEach<V>(p.activation, hh);
    for (int r = 0; r < RB; ++r) {
      const T h_new = GruBlend<V>(zr[r], V::Load(h[r] + j * W), hh[r]);
      V::Store(p.h_next + (r0 + r) * p.state_stride + j * W, h_new);
    }
  }
}

// Phase 1 of reset_after=false: z and r*h for every unit of the tile's rows.
template <class V, int RB>
void GruGatesTile(const GruCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.state_stride;
  const int n = p.PanelEnd() - p.panel_begin;
  for (int jj = 0; jj < n; ++jj) {
    const int j = p.panel_begin + PanelAt(jj, n, p.backward);
    T a[RB][2];
    for (int r = 0; r < RB; ++r) a[r][0] = a[r][1] = V::Zero();
    if (p.product != nullptr) {
      AddProduct<V, RB, 2>(p.product + j * 2 * W, p.product_stride, r0, a);
    } else {
      AccumulateBlock<V, RB, 2>(h, p.units, p.w + static_cast<size_t>(j) * p.units * 2 * W, a);
    }
    T zr[2 * RB];  // z of the RB rows, then r
    for (int r = 0; r < RB; ++r) {
      const float* x = p.gx + (r0 + r) * p.gx_stride + j * 3 * W;
      zr[r] = V::Add(V::Load(x), a[r][0]);
      zr[RB + r] = V::Add(V::Load(x + W), a[r][1]);
    }
    VActivateEach<V>(p.recurrent_activation, zr);
    for (int r = 0; r < RB; ++r) {
      const size_t off = (r0 + r) * p.state_stride + j * W;
      V::Store(p.z_buf + off, zr[r]);
      V::Store(p.rh_buf + off, V::Mul(zr[RB + r], V::Load(h[r] + j * W)));
    }
  }
}

// Phase 2 of reset_after=false: hh from (r*h) @ w_h, then the blend.
template <class V, int RB>
void GruCandidateTile(const GruCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* rh[RB];
  for (int r = 0; r < RB; ++r) rh[r] = p.rh_buf + (r0 + r) * p.state_stride;
  const int n = p.PanelEnd() - p.panel_begin;
  for (int jj = 0; jj < n; ++jj) {
    const int j = p.panel_begin + PanelAt(jj, n, p.backward);
    T a[RB][1];
    for (int r = 0; r < RB; ++r) {
      a[r][0] = V::Load(p.gx + (r0 + r) * p.gx_stride + (j * 3 + 2) * W);
    }
    if (p.product_h != nullptr) {
      AddProduct<V, RB, 1>(p.product_h + j * W, p.product_stride, r0, a);
    } else {
      AccumulateBlock<V, RB, 1>(rh, p.units, p.w_h + static_cast<size_t>(j) * p.units * W, a);
    }
    T hh[RB];
    for (int r = 0; r < RB; ++r) hh[r] = a[r][0];
    VActivateEach<V>(p.activation, hh);
    for (int r = 0; r < RB; ++r) {
      const size_t off = (r0 + r) * p.state_stride + j * W;
      const T h_new = GruBlend<V>(V::Load(p.z_buf + off), V::Load(p.h_prev + off), hh[r]);
      V::Store(p.h_next + off, h_new);
    }
  }
}

template <class V>
void GruCellSimd(const GruCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth && p.h_prev != p.h_next);
  assert(p.RangeValid());
  if (p.reset_after) {
    assert(p.recurrent_bias != nullptr);
    ForRowTiles<V>(p.rows,
                   [&](auto rb, int r0) { GruResetAfterTile<V, decltype(rb)::value>(p, r0); });
    return;
  }
  assert(p.z_buf != nullptr && p.rh_buf != nullptr);
  if (p.phase != GruPhase::kCandidate) {
    ForRowTiles<V>(p.rows, [&](auto rb, int r0) { GruGatesTile<V, decltype(rb)::value>(p, r0); });
  }
  if (p.phase != GruPhase::kGates) {
    assert(p.w_h != nullptr || p.product_h != nullptr);
    ForRowTiles<V>(p.rows,
                   [&](auto rb, int r0) { GruCandidateTile<V, decltype(rb)::value>(p, r0); });
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_GRU_CELL_SIMD_H_
