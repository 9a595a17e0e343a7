// Fused LSTM step shared by the SIMD variants. For one unit block (W units) and RB batch rows,
// the 4 gate pre-activations live in registers for the whole k loop over h_prev, then the cell
// update runs on those registers: no gate buffer, no separate activation pass.
// kExtras adds TF1 peepholes and the cell clip (LstmCellArgs); the plain instantiation has no
// per-element work for them.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int RB, bool kExtras>
void LstmCellTile(const LstmCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const int k = p.k();
  const size_t up = static_cast<size_t>(p.panels) * W;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.h_stride();
  const int n = p.PanelEnd() - p.panel_begin;
  for (int jj = 0; jj < n; ++jj) {
    const int j = p.panel_begin + PanelAt(jj, n, p.backward);
    T z[RB][4];
    for (int r = 0; r < RB; ++r) {
      const float* gx = p.gx + (r0 + r) * p.gx_stride + j * 4 * W;
      for (int g = 0; g < 4; ++g) z[r][g] = V::Load(gx + g * W);
    }
    if (p.product != nullptr) {
      AddProduct<V, RB, 4>(p.product + j * 4 * W, p.product_stride, r0, z);
    } else {
      AccumulateBlock<V, RB, 4>(h, k, p.w + static_cast<size_t>(j) * k * 4 * W, z);
    }
    // The gate math of the RB rows, a gate at a time across the rows (VActivateEach).
    T c_prev[RB], sif[2 * RB], g[RB], o[RB], c[RB];
    for (int r = 0; r < RB; ++r) {
      c_prev[r] = V::Load(p.c_prev + (r0 + r) * p.state_stride + j * W);
      if constexpr (kExtras) {
        z[r][0] = V::Fma(V::Load(p.peephole + j * W), c_prev[r], z[r][0]);
        z[r][1] = V::Fma(V::Load(p.peephole + up + j * W), c_prev[r], z[r][1]);
      }
      sif[r] = z[r][0];
      sif[RB + r] = z[r][1];
      g[r] = z[r][2];
    }
    VActivateEach<V>(p.recurrent_activation, sif);
    VActivateEach<V>(p.activation, g);
    for (int r = 0; r < RB; ++r) {
      c[r] = V::Fma(sif[RB + r], c_prev[r], V::Mul(sif[r], g[r]));
      if constexpr (kExtras) {
        c[r] = V::Min(V::Max(c[r], V::Set1(-p.cell_clip)), V::Set1(p.cell_clip));
        z[r][3] = V::Fma(V::Load(p.peephole + 2 * up + j * W), c[r], z[r][3]);
      }
      o[r] = z[r][3];
      V::Store(p.c_next + (r0 + r) * p.state_stride + j * W, c[r]);
    }
    VActivateEach<V>(p.recurrent_activation, o);
    VActivateEach<V>(p.activation, c);
    for (int r = 0; r < RB; ++r) {
      V::Store(p.h_next + (r0 + r) * p.state_stride + j * W, V::Mul(o[r], c[r]));
    }
  }
}

template <class V, bool kExtras>
void LstmCellSimd(const LstmCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  assert(!kExtras || (p.peephole != nullptr && p.cell_clip >= 0.0f));
  assert(p.RangeValid());
  ForRowTiles<V>(p.rows, [&](auto rb, int r0) {
    LstmCellTile<V, decltype(rb)::value, kExtras>(p, r0);
  });
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
