// Fused LSTM step shared by the SIMD variants. For one unit block (W units) and RB batch rows,
// the 4 gate pre-activations live in registers for the whole k loop over h_prev, then the cell
// update runs on those registers: no gate buffer, no separate activation pass.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_math.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

// Rows sharing one pass over a weight block: enough independent FMA chains (RB*4*KS >= 8) to
// cover FMA latency, few enough that accumulators + broadcasts + a weight vector fit.
template <class V>
constexpr int LstmRowTile() {
  return V::kRegs >= 32 ? 4 : 2;
}

// KS > 1 splits the k loop over KS accumulator sets: with a single row, 4 chains would leave
// the FMA units half idle waiting on latency.
template <class V, int RB, int KS>
void LstmCellTile(const LstmCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.state_stride;
  for (int j = 0; j < p.panels; ++j) {
    T acc[KS][RB][4];
    for (int r = 0; r < RB; ++r) {
      const float* gx = p.gx + (r0 + r) * p.gx_stride + j * 4 * W;
      for (int g = 0; g < 4; ++g) acc[0][r][g] = V::Load(gx + g * W);
      for (int s = 1; s < KS; ++s) {
        for (int g = 0; g < 4; ++g) acc[s][r][g] = V::Zero();
      }
    }
    const float* w = p.w + static_cast<size_t>(j) * p.units * 4 * W;
    int k = 0;
    for (; k + KS <= p.units; k += KS) {
      for (int s = 0; s < KS; ++s) {
        const float* ws = w + (k + s) * 4 * W;
        T hb[RB];
        for (int r = 0; r < RB; ++r) hb[r] = V::Set1(h[r][k + s]);
        for (int g = 0; g < 4; ++g) {
          const T wv = V::Load(ws + g * W);
          for (int r = 0; r < RB; ++r) acc[s][r][g] = V::Fma(hb[r], wv, acc[s][r][g]);
        }
      }
    }
    for (; k < p.units; ++k) {
      for (int r = 0; r < RB; ++r) {
        const T hb = V::Set1(h[r][k]);
        for (int g = 0; g < 4; ++g) acc[0][r][g] = V::Fma(hb, V::Load(w + k * 4 * W + g * W), acc[0][r][g]);
      }
    }
    for (int r = 0; r < RB; ++r) {
      T z[4];
      for (int g = 0; g < 4; ++g) {
        z[g] = acc[0][r][g];
        for (int s = 1; s < KS; ++s) z[g] = V::Add(z[g], acc[s][r][g]);
      }
      const size_t off = (r0 + r) * p.state_stride + j * W;
      const T i = VActivate<V>(p.recurrent_activation, z[0]);
      const T f = VActivate<V>(p.recurrent_activation, z[1]);
      const T g = VActivate<V>(p.activation, z[2]);
      const T o = VActivate<V>(p.recurrent_activation, z[3]);
      const T c = V::Fma(f, V::Load(p.c_prev + off), V::Mul(i, g));
      V::Store(p.c_next + off, c);
      V::Store(p.h_next + off, V::Mul(o, VActivate<V>(p.activation, c)));
    }
  }
}

template <class V>
void LstmCellSimd(const LstmCellArgs& p) {
  constexpr int RB = LstmRowTile<V>();
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth);
  assert(p.h_prev != p.h_next && p.c_prev != p.c_next);
  int r = 0;
  for (; r + RB <= p.rows; r += RB) LstmCellTile<V, RB, 1>(p, r);
  // Leftover rows: pairs still share a weight pass, a lone row splits k instead.
  for (; r + 2 <= p.rows; r += 2) LstmCellTile<V, 2, 1>(p, r);
  if (r < p.rows) LstmCellTile<V, 1, 2>(p, r);
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_LSTM_CELL_SIMD_H_
