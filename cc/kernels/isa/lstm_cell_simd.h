// Fused LSTM step shared by the SIMD variants. For one unit block (W units) and RB batch rows,
// the 4 gate pre-activations live in registers for the whole k loop over h_prev, then the cell
// update runs on those registers: no gate buffer, no separate activation pass.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"
#include "cc/kernels/isa/vec_math.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int RB>
void LstmCellTile(const LstmCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.state_stride;
  for (int j = 0; j < p.panels; ++j) {
    T z[RB][4];
    for (int r = 0; r < RB; ++r) {
      const float* gx = p.gx + (r0 + r) * p.gx_stride + j * 4 * W;
      for (int g = 0; g < 4; ++g) z[r][g] = V::Load(gx + g * W);
    }
    AccumulateBlock<V, RB, 4>(h, p.units, p.w + static_cast<size_t>(j) * p.units * 4 * W, z);
    for (int r = 0; r < RB; ++r) {
      const size_t off = (r0 + r) * p.state_stride + j * W;
      const T i = VActivate<V>(p.recurrent_activation, z[r][0]);
      const T f = VActivate<V>(p.recurrent_activation, z[r][1]);
      const T g = VActivate<V>(p.activation, z[r][2]);
      const T o = VActivate<V>(p.recurrent_activation, z[r][3]);
      const T c = V::Fma(f, V::Load(p.c_prev + off), V::Mul(i, g));
      V::Store(p.c_next + off, c);
      V::Store(p.h_next + off, V::Mul(o, VActivate<V>(p.activation, c)));
    }
  }
}

template <class V>
void LstmCellSimd(const LstmCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  ForRowTiles<V>(p.rows, [&](auto rb, int r0) { LstmCellTile<V, decltype(rb)::value>(p, r0); });
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
