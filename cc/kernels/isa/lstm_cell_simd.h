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
  for (int jj = 0; jj < p.panels; ++jj) {
    const int j = PanelAt(jj, p.panels, p.backward);
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
    for (int r = 0; r < RB; ++r) {
      const size_t off = (r0 + r) * p.state_stride + j * W;
      const T c_prev = V::Load(p.c_prev + off);
      if constexpr (kExtras) {
        z[r][0] = V::Fma(V::Load(p.peephole + j * W), c_prev, z[r][0]);
        z[r][1] = V::Fma(V::Load(p.peephole + up + j * W), c_prev, z[r][1]);
      }
      const T i = VActivate<V>(p.recurrent_activation, z[r][0]);
      const T f = VActivate<V>(p.recurrent_activation, z[r][1]);
      const T g = VActivate<V>(p.activation, z[r][2]);
      T c = V::Fma(f, c_prev, V::Mul(i, g));
      if constexpr (kExtras) {
        c = V::Min(V::Max(c, V::Set1(-p.cell_clip)), V::Set1(p.cell_clip));
        z[r][3] = V::Fma(V::Load(p.peephole + 2 * up + j * W), c, z[r][3]);
      }
      const T o = VActivate<V>(p.recurrent_activation, z[r][3]);
      V::Store(p.c_next + off, c);
      V::Store(p.h_next + off, V::Mul(o, VActivate<V>(p.activation, c)));
    }
  }
}

template <class V, bool kExtras>
void LstmCellSimd(const LstmCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  assert(!kExtras || (p.peephole != nullptr && p.cell_clip >= 0.0f));
  ForRowTiles<V>(p.rows, [&](auto rb, int r0) {
    LstmCellTile<V, decltype(rb)::value, kExtras>(p, r0);
  });
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
