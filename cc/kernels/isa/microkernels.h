// Leaf microkernels: one implementation per ISA, all sharing the packed layouts of pack.h.
// The drivers (lstm.cc, ...) reach them only through the Microkernels table, which dispatch.cc
// fills from TRO_ISA_VARIANTS for the ISAs compiled into this build.
//
// Preconditions are asserted, never reported: the drivers validate shapes once in Init/Reserve.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_

#include <cstddef>

#include "cc/kernels/activation.h"
#include "cc/kernels/dispatch.h"

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

// One LSTM time step for `rows` batch rows, gates fused in registers:
//   z = gx[r] + h_prev[r, :units] @ w;  c_next = f*c_prev + i*g;  h_next = o*act(c_next)
// gx rows come from the gemm above (bias folded in). State rows have state_stride >= panels*vec
// floats; every padded lane is written (values in the padding are unspecified but finite).
struct LstmCellArgs {
  int rows = 0;
  int units = 0;
  int panels = 0;
  const float* w = nullptr;  // PackGateInterleaved(units, 4, units, vec)
  const float* gx = nullptr;
  size_t gx_stride = 0;
  const float* h_prev = nullptr;
  const float* c_prev = nullptr;
  float* h_next = nullptr;
  float* c_next = nullptr;
  size_t state_stride = 0;
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
};

using GemmFn = void (*)(const GemmArgs& args);
using LstmCellFn = void (*)(const LstmCellArgs& args);
// y[i] = act(x[i]); x == y allowed.
using ActivationFn = void (*)(Activation act, const float* x, float* y, size_t n);

struct Microkernels {
  Isa isa = Isa::kRef;
  int vec = 0;  // unit block width of the packed layouts
  GemmFn gemm = nullptr;
  LstmCellFn lstm_cell = nullptr;
  ActivationFn activation = nullptr;
};

// The table for an available ISA (asserts IsaAvailable). Defined in dispatch.cc.
const Microkernels& MicrokernelsFor(Isa isa);

// Every variant, whether or not this build compiles it; dispatch.cc only references the ones
// whose TRO_HAVE_<ISA> macro the build defines.
#define TRO_ISA_VARIANTS(X) X(ref, 8) X(avx2, 8) X(avx512, 16) X(neon, 8)

#define TRO_DECLARE_MICROKERNELS(isa, vec)                                  \
  constexpr int kVec_##isa = vec;                                           \
  void f32_gemm_##isa(const GemmArgs& args);                                \
  void f32_lstm_cell_##isa(const LstmCellArgs& args);                       \
  void f32_activation_##isa(Activation act, const float* x, float* y, size_t n);
TRO_ISA_VARIANTS(TRO_DECLARE_MICROKERNELS)
#undef TRO_DECLARE_MICROKERNELS

}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_MICROKERNELS_H_
