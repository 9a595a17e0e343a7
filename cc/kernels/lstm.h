// Whole-sequence float32 LSTM on plain arrays (no TFLite types), Keras 3 semantics.
//
// Gate order and weight layout are Keras's: kernel [F, 4U], recurrent_kernel [U, 4U], bias [4U],
// columns grouped i | f | c | o.
//   z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
//   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
//   c_t = f * c_{t-1} + i * g      h_t = o * a(c_t)
// Masked step (mask == 0): h and c are carried unchanged; the step's output is the previous
// step's output (zeros before the first step), or zeros when zero_output_for_mask is set.
// Per-example lengths instead of a mask: see sequence.h (TF1 dynamic_rnn semantics).
//
// TF1 LSTMCell extras (tf.compat.v1.nn.rnn_cell.LSTMCell), all off by default. The gate order
// stays i | f | c | o; a TF1 caller reorders i | j | f | o and folds forget_bias into b_f.
//   use_peepholes: i = ra(z_i + w_i_diag * c_{t-1})   f = ra(z_f + w_f_diag * c_{t-1})
//                  o = ra(z_o + w_o_diag * c_t)        (o sees the NEW cell state)
//   cell_clip > 0: c_t = clip(c_t, -cell_clip, cell_clip), right after c_t is computed (before
//                  o's peephole and before h)
//   num_proj = P > 0: h_t = (o * a(c_t)) @ projection [U, P], then with proj_clip > 0
//                  h_t = clip(h_t, -proj_clip, proj_clip). h, the output and the recurrent
//                  kernel rows are then P wide: recurrent_kernel [P, 4U], h0/h_out/output rows
//                  [P]; c stays [U]. proj_clip without num_proj is ignored (as in TF1).
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
#include "cc/kernels/input_projection.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/packed_weights.h"
#include "cc/kernels/sequence.h"
#include "cc/kernels/thread_pool.h"
#include "cc/kernels/weights.h"

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
  // TF1 extras, see the file comment.
  bool use_peepholes = false;
  float cell_clip = 0.0f;  // 0 = none
  int num_proj = 0;        // P; 0 = none
  float proj_clip = 0.0f;  // 0 = none
  // Storage of kernel, recurrent_kernel and projection (weights.h).
  WeightType weight_type = WeightType::kFloat32;
  // int8 only: centre each activation row before quantizing it (packed_weights.h, contract v4).
  bool centre_rows = false;
  // float16 only: recurrent weights whose float32 copy fits this many bytes are widened to
  // float32 in Pack and run the fused float32 cell (PackedStorage, packed_weights.h); 0 keeps
  // them float16.
  size_t float16_widen_bytes = Float16WidenBytes();

  // Width of h and of the output: P with a projection, else U.
  int output_units() const { return num_proj > 0 ? num_proj : units; }
};

// Keras layout, see the file comment. bias may be null (no bias).
struct LstmWeights {
  WeightMatrix kernel;                      // [F, 4U]
  WeightMatrix recurrent_kernel;            // [U, 4U], or [P, 4U] with num_proj
  const float* bias = nullptr;              // [4U]
  const float* w_i_diag = nullptr;          // [U], use_peepholes only
  const float* w_f_diag = nullptr;          // [U], use_peepholes only
  const float* w_o_diag = nullptr;          // [U], use_peepholes only
  WeightMatrix projection;                  // [U, P], num_proj only
};

// H = options.output_units(): P with a projection, else U.
struct LstmIo {
  int batch = 0;
  int time = 0;
  const float* x = nullptr;          // [B, T, F] (or [T, B, F] when time_major)
  const uint8_t* mask = nullptr;     // optional, [B, T] (or [T, B]); nonzero = valid step
  const int32_t* lengths = nullptr;  // optional [B], 0 <= len <= T; exclusive with mask
  const float* h0 = nullptr;         // optional [B, H]; null = zeros
  const float* c0 = nullptr;         // optional [B, U]; null = zeros
  float* output = nullptr;           // [B, T, H] (or [T, B, H]) if return_sequences, else [B, H]
  float* h_out = nullptr;            // [B, H]
  float* c_out = nullptr;            // [B, U]
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

  // Step-wise form of Run, for callers that drive the steps themselves (RunBidirectional's
  // directions, a streaming op): Begin(io); while (!done()) Step(); Finish(). Run(io) is exactly that
  // with the default placement. Same preconditions as Run; io's buffers must stay valid until
  // Finish. None of these allocate.
  void Begin(const LstmIo& io, const OutputPlacement& placement = OutputPlacement());
  bool done() const { return seq_.done(); }
  void Step();
  void Finish() { seq_.Finish(); }

  const LstmOptions& options() const { return options_; }
  Isa isa() const { return isa_; }

  // Threads for Begin/Step (not owned; null = the calling thread only). Results do not depend
  // on it, bit for bit.
  // The input projection and the recurrent step are split by unit blocks; the TF1 extras
  // (peepholes, projection) keep the cell on one thread (int8/float16 weights still split
  // their recurrent and projection products).
  void SetThreadPool(ThreadPool* pool) { pool_ = pool; }
  // The storage the weight matrices were packed in (float16 may be widened, PackedStorage).
  WeightType packed_type() const { return packed_type_; }

 private:
  SequenceConfig SeqConfig() const;
  size_t GxFloats(int batch, int time) const;
  size_t ProjFloats(int batch) const;
  void Project();
  void RunPanels(const mk::LstmCellArgs& a, Slice s) const;
  bool fused() const { return packed_type_ == WeightType::kFloat32; }
  size_t ProductFloats(int batch) const;
  size_t QuantFloats(int batch, int time) const;

  Isa isa_ = Isa::kRef;
  LstmOptions options_;
  WeightType packed_type_ = WeightType::kFloat32;  // PackedStorage of options_.weight_type
  const mk::Microkernels* mk_ = nullptr;
  mk::LstmCellFn cell_ = nullptr;  // lstm_cell, or lstm_cell_extras for peepholes / cell_clip
  int padded_units_ = 0;           // Up
  int padded_out_ = 0;             // Hp: padded P with a projection, else Up
  PackedWeights packed_kernel_;          // [F, 4U]
  PackedWeights packed_recurrent_;       // [H, 4U]
  AlignedFloats packed_bias_;            // [Up/vec][4][vec]
  AlignedFloats packed_peephole_;        // extras cell: [3][Up] i, f, o diagonals (zeros if unused)
  PackedWeights packed_projection_;      // num_proj: [U, P]
  AlignedFloats packed_projection_bias_; // num_proj: [Hp] zeros (the gemm wants a bias)
  // gx [B*T, 4*Up], m [B, Up] (num_proj); int8/float16: product [B, 4*Up] and quantization
  // scratch; then SequenceDriver state.
  AlignedFloats scratch_;
  int reserved_batch_ = 0;
  int reserved_time_ = 0;
  // Per-run state between Begin and Finish.
  ThreadPool* pool_ = nullptr;
  SequenceDriver seq_;
  ChunkedProjection gx_;
  float* m_ = nullptr;  // num_proj: o * a(c) for every row, input of the projection
  float* product_ = nullptr;  // int8/float16: h_prev @ recurrent_kernel
  float* quant_ = nullptr;
  int run_batch_ = 0;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_LSTM_H_
