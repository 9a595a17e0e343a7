// Leaf microkernels: one implementation per ISA, all sharing the packed layouts of pack.h.
// The drivers (lstm.cc, ...) reach them only through the Microkernels table, which dispatch.cc
// fills from TRO_ISA_VARIANTS for the ISAs compiled into this build. Like every file under
// isa/, this one includes nothing above isa/.
//
// Preconditions are asserted, never reported: the drivers validate shapes once in Init/Reserve.
//
// `backward` (the cells and the int8 / float16 GEMMs): visit the unit blocks (panels) last to
// first. Each block's sums are the same either way, so every bit is too; the drivers flip it
// every step, so a step starts on the weights the previous one read last, which are still in
// cache (LstmKernel::RunPanels). The ref kernels ignore it.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_

#include <cstddef>
#include <cstdint>
#include <limits>

#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {
namespace mk {

// out[r, :] = bias + a[r, :] @ w for r < rows. w is packed by PackGateInterleaved(k, gates, ...)
// with this ISA's vector width, so out has panels * gates * vec columns (gate-interleaved).
// bias is packed the same way (PackGateBias) and must not be null.
struct GemmArgs {
  int rows = 0;
  int k = 0;
  int panels = 0;  // padded units / vec
  int gates = 0;   // 1, 3 or 4
  const float* a = nullptr;
  size_t a_stride = 0;
  const float* w = nullptr;
  const float* bias = nullptr;
  float* out = nullptr;
  size_t out_stride = 0;
};

// The unit blocks [panel_begin, panel_end) of a step's `panels` that one cell call computes (a
// thread's share, or an L1-sized run of it; panel_end 0 = through the last). Every pointer of
// the call stays whole and is indexed by the absolute block, and every block reads all of
// h_prev, so a call over a range computes exactly what a whole call computes there.
struct PanelRange {
  int panels = 0;
  int panel_begin = 0;
  int panel_end = 0;
  int PanelEnd() const { return panel_end > 0 ? panel_end : panels; }
  bool RangeValid() const {
    return 0 <= panel_begin && panel_begin < PanelEnd() && PanelEnd() <= panels;
  }
};

// One LSTM time step for `rows` batch rows, gates fused in registers:
//   z = gx[r] + h_prev[r, :k] @ w;  c_next = f*c_prev + i*g;  h_next = o*act(c_next)
// gx rows come from the gemm above (bias folded in). c and h_next rows have state_stride >=
// panels*vec floats; every padded lane is written (values in the padding are unspecified but
// finite). h_prev has k = recurrent_size entries per row (the projection size; the driver
// projects h_next into the next h_prev), at h_prev_stride.
//
// lstm_cell_extras adds TF1 LSTMCell's peepholes and cell clipping (see lstm.h):
//   i = ra(z_i + p_i*c_prev)  f = ra(z_f + p_f*c_prev)  c_next = clip(f*c_prev + i*g)
//   o = ra(z_o + p_o*c_next)  h_next = o*act(c_next)
// With zero diagonals and an infinite clip it computes exactly what lstm_cell computes.
struct LstmCellArgs : PanelRange {
  int rows = 0;
  int units = 0;
  bool backward = false;
  const float* w = nullptr;  // PackGateInterleaved(recurrent_size, 4, units, vec)
  const float* gx = nullptr;
  size_t gx_stride = 0;
  int recurrent_size = 0;       // k; 0 = units
  const float* h_prev = nullptr;
  size_t h_prev_stride = 0;     // 0 = state_stride
  const float* c_prev = nullptr;
  float* h_next = nullptr;
  float* c_next = nullptr;
  size_t state_stride = 0;
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
  // lstm_cell_extras only.
  const float* peephole = nullptr;  // [3][panels*vec]: i, f, o diagonals, zero padded
  float cell_clip = std::numeric_limits<float>::infinity();
  // Quantized or float16 weights: the driver has already computed h_prev @ w (q8_gemm or
  // f16_gemm, same panel layout as gx). When set, z = gx + product and w is not read.
  const float* product = nullptr;
  size_t product_stride = 0;

  int k() const { return recurrent_size > 0 ? recurrent_size : units; }
  size_t h_stride() const { return h_prev_stride > 0 ? h_prev_stride : state_stride; }
};

// One GRU time step (Keras gate order z | r | h), fused per unit block:
//   reset_after:  a = h_prev @ w + recurrent_bias;  z = ra(gx_z + a_z);  r = ra(gx_r + a_r);
//                 hh = act(gx_h + r * a_h)
//   !reset_after: z, r as above from w (z|r columns only, no recurrent bias); then, once r is
//                 known for every unit, hh = act(gx_h + (r * h_prev) @ w_h)
//   h_next = z * h_prev + (1 - z) * hh
// The two-phase form needs z_buf and rh_buf ([rows][state_stride] scratch).
//
// Quantized or float16 weights: the driver computes the products (q8_gemm / f16_gemm) and
// passes them instead of w / w_h: `product` is h_prev @ w (3 gates, recurrent_bias still added
// by the cell; or z|r, 2 gates), `product_h` is (r * h_prev) @ w_h. The driver quantizes r*h
// between the two phases of reset_after=false, so it runs them as separate calls (`phase`).
enum class GruPhase : int { kBoth = 0, kGates, kCandidate };

struct GruCellArgs : PanelRange {
  int rows = 0;
  int units = 0;
  bool backward = false;
  bool reset_after = true;
  const float* w = nullptr;               // reset_after: 3 gates; else 2 gates (z|r)
  const float* w_h = nullptr;             // !reset_after: 1 gate (h)
  const float* recurrent_bias = nullptr;  // reset_after: PackGateBias(3 gates), never null
  const float* gx = nullptr;
  size_t gx_stride = 0;
  const float* h_prev = nullptr;
  float* h_next = nullptr;
  size_t state_stride = 0;
  float* z_buf = nullptr;
  float* rh_buf = nullptr;
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
  const float* product = nullptr;    // [rows] x panels*gates*vec at product_stride
  const float* product_h = nullptr;  // [rows] x panels*vec at product_stride
  size_t product_stride = 0;
  GruPhase phase = GruPhase::kBoth;  // !reset_after only
};

// One SimpleRNN step: h_next = act(gx + h_prev @ w).
struct RnnCellArgs : PanelRange {
  int rows = 0;
  int units = 0;
  bool backward = false;
  const float* w = nullptr;  // 1 gate
  const float* gx = nullptr;
  size_t gx_stride = 0;
  const float* h_prev = nullptr;
  float* h_next = nullptr;
  size_t state_stride = 0;
  Activation activation = Activation::kTanh;
  const float* product = nullptr;  // quantized / float16 weights: h_prev @ w, w unused
  size_t product_stride = 0;
};

// ---- Quantized (int8) and float16 weights ----------------------------------------------------
// A "panel" is one unit block of a packed matrix: panel_cols = gates * vec columns, in the
// gate-interleaved order of pack.h (column c = g*vec + v).
//
// int8 layout (PackInt8Panels), with the ISA's k group KG (Microkernels::q8_k_group):
//   w[j][kb][c][kk] = q[kb*KG + kk][column c of panel j]     (0 past k and past the units)
//   w_scales[j][c]  = per-column scale s (0 in the padding)
// so one KG-deep slice of a column is contiguous: KG = 2 suits int16 pair products (AVX2
// vpmaddwd, AVX-512 vpmaddwd, NEON vmull/vpadal on pairs), KG = 4 suits 4-way int8 dot products
// (vpsignb + vpmaddubsw, vpdpbusd, sdot). Quantized activation rows (quantize_rows) are Microkernels::q8_act_bytes
// wide per element (1: int8, 2: int16) and zero padded to a multiple of KG.

// The activation rule of the scheme (bit-identical on every ISA), per row r:
//   m = max_k |x[r][k]| (NaN if any element is NaN); inv = 127.0f / m
//   m > 0 and inv finite: q[k] = clamp(rint(x[k] * inv), -127, 127), scale = m / 127.0f
//   otherwise (zero, tiny, Inf or NaN rows): q = 0, scale = m (so Inf/NaN reach the output as
//   NaN through 0 * scale)
struct QuantizeRowsArgs {
  int rows = 0;
  int k = 0;
  const float* x = nullptr;
  size_t x_stride = 0;
  void* q = nullptr;     // int8 or int16 elements
  size_t q_stride = 0;   // elements, >= k rounded up to KG
  float* scales = nullptr;
};

// out[r][c] = bias[c] + float(sum_k qa[r][k] * qw[k][c]) * (a_scales[r] * w_scales[c]), with the
// sum in int32 (exact for k <= 131072). bias may be null (0). Columns: panels * panel_cols.
struct Q8GemmArgs {
  int rows = 0;
  int k = 0;
  int panels = 0;
  bool backward = false;
  int panel_cols = 0;  // gates * vec
  const void* a = nullptr;  // quantize_rows output
  size_t a_stride = 0;      // elements
  const float* a_scales = nullptr;
  const int8_t* w = nullptr;
  const float* w_scales = nullptr;
  const float* bias = nullptr;
  float* out = nullptr;
  size_t out_stride = 0;
};

// out[r] = bias + a[r] @ widen(w) with w binary16 bits in the float layout of pack.h
// ([j][k][panel_cols]). bias may be null (0).
struct F16GemmArgs {
  int rows = 0;
  int k = 0;
  int panels = 0;
  bool backward = false;
  int panel_cols = 0;
  const float* a = nullptr;
  size_t a_stride = 0;
  const uint16_t* w = nullptr;
  const float* bias = nullptr;
  float* out = nullptr;
  size_t out_stride = 0;
};

using GemmFn = void (*)(const GemmArgs& args);
using LstmCellFn = void (*)(const LstmCellArgs& args);
using GruCellFn = void (*)(const GruCellArgs& args);
using RnnCellFn = void (*)(const RnnCellArgs& args);
// y[i] = act(x[i]); x == y allowed.
using ActivationFn = void (*)(Activation act, const float* x, float* y, size_t n);
using QuantizeRowsFn = void (*)(const QuantizeRowsArgs& args);
using Q8GemmFn = void (*)(const Q8GemmArgs& args);
using F16GemmFn = void (*)(const F16GemmArgs& args);

struct Microkernels {
  Isa isa = Isa::kRef;
  int vec = 0;  // unit block width of the packed layouts
  GemmFn gemm = nullptr;
  LstmCellFn lstm_cell = nullptr;
  LstmCellFn lstm_cell_extras = nullptr;
  GruCellFn gru_cell = nullptr;
  RnnCellFn rnn_cell = nullptr;
  ActivationFn activation = nullptr;
  // int8 / float16 weights (layouts above).
  int q8_k_group = 0;    // KG of the int8 packed layout
  int q8_act_bytes = 0;  // quantized activation element: 1 = int8, 2 = int16
  QuantizeRowsFn quantize_rows = nullptr;
  Q8GemmFn q8_gemm = nullptr;
  F16GemmFn f16_gemm = nullptr;
};

// NEON's width follows the register file (vec_neon.h): aarch64 pairs two of its 32 q registers
// into one 8-lane vector; armv7 (16 q registers) uses one 4-lane register.
#if defined(__aarch64__) || defined(_M_ARM64)
#define TRO_NEON_VEC 8
#else
#define TRO_NEON_VEC 4
#endif

// Every variant, whether or not this build compiles it; dispatch.cc only references the ones
// whose TRO_HAVE_<ISA> macro the build defines. Columns: name, vec, int8 k group, quantized
// activation bytes.
#define TRO_ISA_VARIANTS(X) \
  X(ref, 8, 1, 1) X(avx2, 8, 2, 2) X(avx512, 16, 2, 2) X(neon, TRO_NEON_VEC, 2, 1)

#define TRO_DECLARE_MICROKERNELS(isa, vec, k_group, act_bytes)              \
  constexpr int kVec_##isa = vec;                                           \
  constexpr int kQ8KGroup_##isa = k_group;                                  \
  constexpr int kQ8ActBytes_##isa = act_bytes;                              \
  void quantize_rows_##isa(const QuantizeRowsArgs& args);                   \
  void q8_gemm_##isa(const Q8GemmArgs& args);                               \
  void f16_gemm_##isa(const F16GemmArgs& args);                             \
  void f32_gemm_##isa(const GemmArgs& args);                                \
  void f32_lstm_cell_##isa(const LstmCellArgs& args);                       \
  void f32_lstm_cell_extras_##isa(const LstmCellArgs& args);                \
  void f32_gru_cell_##isa(const GruCellArgs& args);                         \
  void f32_rnn_cell_##isa(const RnnCellArgs& args);                         \
  void f32_activation_##isa(Activation act, const float* x, float* y, size_t n);
TRO_ISA_VARIANTS(TRO_DECLARE_MICROKERNELS)
#undef TRO_DECLARE_MICROKERNELS

}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_
