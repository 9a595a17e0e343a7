// Building blocks shared by the fused SIMD recurrent cells (LSTM, GRU, SimpleRNN).
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_RECURRENT_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_RECURRENT_SIMD_H_

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace tflite_rnn_ops {
namespace mk {
namespace {

// The unit block a cell's j-th iteration visits (microkernels.h, `backward`).
inline int PanelAt(int j, int panels, bool backward) { return backward ? panels - 1 - j : j; }

// Rows sharing one pass over a weight block (32-register ISAs can hold 4 rows x 4 gates).
template <class V>
constexpr int RowTile() {
  return V::kRegs >= 32 ? 4 : 2;
}

// k-splits: RB*NG*KS independent FMA chains. Rows sharing a weight vector make the k loop FMA
// bound: 8 chains hide the FMA latency on two ports (a lone row of a 1-gate cell would otherwise
// run at 1/8 of FMA throughput). A lone row of 64-byte vectors is bound by the L2's bandwidth
// instead: 4 chains keep 256 bytes of weight loads per FMA latency in flight, and more splits
// measured slower (rnn_bench, Sapphire Rapids, batch 1, old and new binaries alternated: GRU
// 256 5.53 -> 5.22, GRU 128 1.48 -> 1.42, LSTM 128 2.00 -> 1.90 us per step with 4 chains).
template <class V, int RB, int NG>
constexpr int KSplit() {
  constexpr int chains = RB == 1 && V::kWidth >= 16 ? 4 : 8;
  return (chains + RB * NG - 1) / (RB * NG);
}

// A weight vector of the packed layout: float32, or float16 bits widened as they load.
template <class V>
inline typename V::T LoadWeights(const float* p) {
  return V::Load(p);
}
template <class V>
inline typename V::T LoadWeights(const uint16_t* p) {
  return V::LoadHalf(p);
}

// z[r][g] += h[r][0:units] @ w_block, where w_block is one unit block of a packed matrix:
// [units][NG][W] (float32 or float16 elements). Weight vectors are loaded once and reused
// across the RB rows.
template <class V, int RB, int NG, class E>
inline void AccumulateBlock(const float* const (&h)[RB], int units, const E* w,
                            typename V::T (&z)[RB][NG]) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  constexpr int KS = KSplit<V, RB, NG>();
  T acc[KS][RB][NG];
  for (int r = 0; r < RB; ++r) {
    for (int g = 0; g < NG; ++g) {
      acc[0][r][g] = z[r][g];
      for (int s = 1; s < KS; ++s) acc[s][r][g] = V::Zero();
    }
  }
  int k = 0;
  for (; k + KS <= units; k += KS) {
    for (int s = 0; s < KS; ++s) {
      const E* ws = w + static_cast<size_t>(k + s) * NG * W;
      T hb[RB];
      for (int r = 0; r < RB; ++r) hb[r] = V::Set1(h[r][k + s]);
      for (int g = 0; g < NG; ++g) {
        const T wv = LoadWeights<V>(ws + g * W);
        for (int r = 0; r < RB; ++r) acc[s][r][g] = V::Fma(hb[r], wv, acc[s][r][g]);
      }
    }
  }
  for (; k < units; ++k) {
    const E* ws = w + static_cast<size_t>(k) * NG * W;
    for (int r = 0; r < RB; ++r) {
      const T hb = V::Set1(h[r][k]);
      for (int g = 0; g < NG; ++g) {
        acc[0][r][g] = V::Fma(hb, LoadWeights<V>(ws + g * W), acc[0][r][g]);
      }
    }
  }
  for (int r = 0; r < RB; ++r) {
    for (int g = 0; g < NG; ++g) {
      T sum = acc[0][r][g];
      for (int s = 1; s < KS; ++s) sum = V::Add(sum, acc[s][r][g]);
      z[r][g] = sum;
    }
  }
}

// z[r][g] += product[r0 + r][g*W ..] for a block whose h_prev @ w the driver computed
// (quantized / float16 weights); `product` points at the block's first column.
template <class V, int RB, int NG>
inline void AddProduct(const float* product, size_t stride, int r0, typename V::T (&z)[RB][NG]) {
  constexpr int W = V::kWidth;
  for (int r = 0; r < RB; ++r) {
    for (int g = 0; g < NG; ++g) {
      z[r][g] = V::Add(z[r][g], V::Load(product + (r0 + r) * stride + g * W));
    }
  }
}

// Calls tile(std::integral_constant<int, RB>{}, r0) over `rows`: full RowTile<V>() tiles, then
// pairs, then a single row, each with its own fully unrolled instantiation.
template <class V, class Tile>
inline void ForRowTiles(int rows, Tile&& tile) {
  constexpr int RB = RowTile<V>();
  int r = 0;
  for (; r + RB <= rows; r += RB) tile(std::integral_constant<int, RB>{}, r);
  for (; r + 2 <= rows; r += 2) tile(std::integral_constant<int, 2>{}, r);
  if (r < rows) tile(std::integral_constant<int, 1>{}, r);
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_RECURRENT_SIMD_H_
