// Whole-sequence float32 LSTM on plain arrays (no TFLite types), Keras 3 semantics.
//
// Gate order and weight layout are Keras's: kernel [F, 4U], recurrent_kernel [U, 4U], bias [4U],
// columns grouped i | f | c | o.
//   z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
//   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
//   c_t = f * c_{t-1} + i * g      h_t = o * a(c_t)
// Masked step (mask == 0): h and c are carried unchanged; the step's output is the previous
// step's output (zeros before the first step), or zeros when zero_output_for_mask is set.
//
// Lifecycle (mirrors a TFLite op): Init + Pack + Reserve in Prepare; Run in Eval allocates
// nothing.
#ifndef TFLITE_RNN_OPS_KERNELS_LSTM_H_
#define TFLITE_RNN_OPS_KERNELS_LSTM_H_

#include <cstdint>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/aligned_buffer.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/sequence.h"

namespace tflite_rnn_ops {

struct LstmOptions {
  int input_size = 0;  // F
  int units = 0;       // U
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
  bool time_major = false;    // x, mask and the output sequence are [T, B, ...] instead of [B, T, ...]
  bool go_backwards = false;  // iterate t = T-1 .. 0; the output sequence is in iteration order
  bool return_sequences = false;
  bool zero_output_for_mask = false;
};

// Keras layout, see the file comment. bias may be null (no bias).
struct LstmWeights {
  const float* kernel = nullptr;
  const float* recurrent_kernel = nullptr;
  const float* bias = nullptr;
};

struct LstmIo {
  int batch = 0;
  int time = 0;
  const float* x = nullptr;        // [B, T, F] (or [T, B, F] when time_major)
  const uint8_t* mask = nullptr;   // optional, [B, T] (or [T, B]); nonzero = valid step
  const float* h0 = nullptr;       // optional [B, U]; null = zeros
  const float* c0 = nullptr;       // optional [B, U]; null = zeros
  float* output = nullptr;         // [B, T, U] (or [T, B, U]) if return_sequences, else [B, U]
  float* h_out = nullptr;          // [B, U]
  float* c_out = nullptr;          // [B, U]
};

class LstmKernel {
 public:
  // Chooses the microkernels for `isa` (must be IsaAvailable) and sizes the packed-weight
  // buffers. Allocates.
  void Init(Isa isa, const LstmOptions& options);
  // Repacks weights into the buffers sized by Init. Does not allocate.
  void Pack(const LstmWeights& weights);
  // Sizes scratch for batch x time. Allocates only when growing.
  void Reserve(int batch, int time);
  // Runs the whole sequence. Requires Init, Pack and Reserve(>= io.batch, >= io.time).
  // Does not allocate.
  void Run(const LstmIo& io);

  // Step-wise form of Run, so two kernels (the directions of a bidirectional layer) can be
  // advanced in lockstep: Begin(io); while (!done()) Step(); Finish(). Run(io) is exactly that
  // with the default placement. Same preconditions as Run; io's buffers must stay valid until
  // Finish. None of these allocate.
  void Begin(const LstmIo& io, const OutputPlacement& placement = OutputPlacement());
  bool done() const { return seq_.done(); }
  void Step();
  void Finish() { seq_.Finish(); }

  const LstmOptions& options() const { return options_; }
  Isa isa() const { return isa_; }

 private:
  SequenceConfig SeqConfig() const;

  Isa isa_ = Isa::kRef;
  LstmOptions options_;
  const mk::Microkernels* mk_ = nullptr;
  int padded_units_ = 0;
  AlignedFloats packed_kernel_;         // [Up/vec][F][4][vec]
  AlignedFloats packed_recurrent_;      // [Up/vec][U][4][vec]
  AlignedFloats packed_bias_;           // [Up/vec][4][vec]
  AlignedFloats scratch_;               // gx [B*T, 4*Up], then SequenceDriver state
  int reserved_batch_ = 0;
  int reserved_time_ = 0;
  // Per-run state between Begin and Finish.
  SequenceDriver seq_;
  const float* gx_ = nullptr;
  int run_batch_ = 0;
  int run_time_ = 0;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_LSTM_H_
