// Whole-sequence float32 GRU on plain arrays (no TFLite types), Keras 3 semantics.
//
// Keras layout, gate order z | r | h: kernel [F, 3U], recurrent_kernel [U, 3U];
// bias [2, 3U] (input row, recurrent row) when reset_after (Keras default), else [3U].
//   z = ra(x W_z + b_z + h R_z + rb_z)       r = ra(x W_r + b_r + h R_r + rb_r)
//   reset_after:  hh = act(x W_h + b_h + r * (h R_h + rb_h))
//   !reset_after: hh = act(x W_h + b_h + (r * h) R_h)          (rb terms absent)
//   h_t = z * h_{t-1} + (1 - z) * hh
// Masking, per-example lengths, go_backwards and the output sequence follow lstm.h /
// sequence.h.
#ifndef TFLITE_RNN_OPS_KERNELS_GRU_H_
#define TFLITE_RNN_OPS_KERNELS_GRU_H_

#include <cstdint>

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

struct GruOptions {
  int input_size = 0;  // F
  int units = 0;       // U
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
  bool reset_after = true;
  bool time_major = false;
  bool go_backwards = false;
  bool return_sequences = false;
  bool zero_output_for_mask = false;
  // Storage of kernel and recurrent_kernel (weights.h).
  WeightType weight_type = WeightType::kFloat32;
  // int8 only: centre each activation row before quantizing it (packed_weights.h, contract v4).
  bool centre_rows = false;
  // float16 only: recurrent weights whose float32 copy fits this many bytes are widened to
  // float32 in Pack and run the fused float32 cell (PackedStorage, packed_weights.h); 0 keeps
  // them float16.
  size_t float16_widen_bytes = Float16WidenBytes();
};

// bias may be null (no bias); its shape depends on reset_after, see the file comment.
struct GruWeights {
  WeightMatrix kernel;
  WeightMatrix recurrent_kernel;
  const float* bias = nullptr;
};

struct GruIo {
  int batch = 0;
  int time = 0;
  const float* x = nullptr;       // [B, T, F] (or [T, B, F] when time_major)
  const uint8_t* mask = nullptr;  // optional, [B, T] (or [T, B]); nonzero = valid step
  const int32_t* lengths = nullptr;  // optional [B], 0 <= len <= T; exclusive with mask
  const float* h0 = nullptr;      // optional [B, U]; null = zeros
  float* output = nullptr;        // [B, T, U] (or [T, B, U]) if return_sequences, else [B, U]
  float* h_out = nullptr;         // [B, U]
};

// Lifecycle and allocation rules as LstmKernel.
class GruKernel {
 public:
  void Init(Isa isa, const GruOptions& options);
  void Pack(const GruWeights& weights);
  void Reserve(int batch, int time);
  void Run(const GruIo& io);

  void Begin(const GruIo& io, const OutputPlacement& placement = OutputPlacement());
  bool done() const { return seq_.done(); }
  void Step();
  void Finish() { seq_.Finish(); }

  const GruOptions& options() const { return options_; }
  Isa isa() const { return isa_; }

  // Threads for Begin/Step (not owned; null = the calling thread only). Results do not depend
  // on it, bit for bit.
  // The input projection is split by unit blocks, and so is the step from kMinSplitStepBytes of
  // recurrent weights (thread_pool.h; reset_after=false: gates, then candidate). With
  // int8/float16 weights the recurrent products are separate GEMMs, split by unit blocks too.
  void SetThreadPool(ThreadPool* pool) { pool_ = pool; }
  // The storage the weight matrices were packed in (float16 may be widened, PackedStorage).
  WeightType packed_type() const { return packed_type_; }

 private:
  SequenceConfig SeqConfig() const;
  bool fused() const { return packed_type_ == WeightType::kFloat32; }
  size_t ProductFloats(int batch) const;
  size_t QuantFloats(int batch, int time) const;
  void QuantizedStep(mk::GruCellArgs a);
  void RunCell(const mk::GruCellArgs& a) const;

  Isa isa_ = Isa::kRef;
  GruOptions options_;
  WeightType packed_type_ = WeightType::kFloat32;  // PackedStorage of options_.weight_type
  const mk::Microkernels* mk_ = nullptr;
  int padded_units_ = 0;
  PackedWeights packed_kernel_;          // [F, 3U]
  PackedWeights packed_recurrent_;       // reset_after: 3 gates; else z|r (2 gates)
  PackedWeights packed_recurrent_h_;     // !reset_after: h gate (1 gate)
  AlignedFloats packed_bias_;            // input bias [Up/vec][3][vec]
  AlignedFloats packed_recurrent_bias_;  // reset_after: [Up/vec][3][vec]
  // gx, z_buf, rh_buf; int8/float16: product [B, 3*Up] and quantization scratch; then
  // SequenceDriver state.
  AlignedFloats scratch_;
  int reserved_batch_ = 0;
  int reserved_time_ = 0;
  ThreadPool* pool_ = nullptr;
  SequenceDriver seq_;
  ChunkedProjection gx_;
  float* z_buf_ = nullptr;
  float* rh_buf_ = nullptr;
  float* product_ = nullptr;
  float* quant_ = nullptr;
  int run_batch_ = 0;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_GRU_H_
