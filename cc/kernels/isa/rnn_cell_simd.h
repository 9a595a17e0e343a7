// SimpleRNN step shared by the SIMD variants: h_next = act(gx + h_prev @ w).
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_RNN_CELL_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_RNN_CELL_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"
#include "cc/kernels/isa/vec_activate.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int RB>
void RnnCellTile(const RnnCellArgs& p, int r0) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* h[RB];
  for (int r = 0; r < RB; ++r) h[r] = p.h_prev + (r0 + r) * p.state_stride;
  const int n = p.PanelEnd() - p.panel_begin;
  for (int jj = 0; jj < n; ++jj) {
    const int j = p.panel_begin + PanelAt(jj, n, p.backward);
    T a[RB][1];
    for (int r = 0; r < RB; ++r) a[r][0] = V::Load(p.gx + (r0 + r) * p.gx_stride + j * W);
    if (p.product != nullptr) {
      AddProduct<V, RB, 1>(p.product + j * W, p.product_stride, r0, a);
    } else {
      AccumulateBlock<V, RB, 1>(h, p.units, p.w + static_cast<size_t>(j) * p.units * W, a);
    }
    T h_new[RB];
    for (int r = 0; r < RB; ++r) h_new[r] = a[r][0];
    VActivateEach<V>(p.activation, h_new);  // the RB rows side by side
    for (int r = 0; r < RB; ++r) V::Store(p.h_next + (r0 + r) * p.state_stride + j * W, h_new[r]);
  }
}

template <class V>
void RnnCellSimd(const RnnCellArgs& p) {
  assert(p.rows >= 0 && p.units > 0 && p.panels * V::kWidth >= p.units);
  assert(p.state_stride >= static_cast<size_t>(p.panels) * V::kWidth && p.h_prev != p.h_next);
  assert(p.RangeValid());
  ForRowTiles<V>(p.rows, [&](auto rb, int r0) { RnnCellTile<V, decltype(rb)::value>(p, r0); });
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_RNN_CELL_SIMD_H_
