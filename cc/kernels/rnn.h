// Whole-sequence float32 SimpleRNN on plain arrays (no TFLite types), Keras 3 semantics:
//   h_t = act(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)
// kernel [F, U], recurrent_kernel [U, U], bias [U] (or null). Masking, go_backwards and the
// output sequence follow lstm.h / sequence.h; per-example lengths, sequence.h.
#ifndef TFLITE_RNN_OPS_KERNELS_RNN_H_
#define TFLITE_RNN_OPS_KERNELS_RNN_H_

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

struct RnnOptions {
  int input_size = 0;  // F
  int units = 0;       // U
  Activation activation = Activation::kTanh;
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

struct RnnWeights {
  WeightMatrix kernel;
  WeightMatrix recurrent_kernel;
  const float* bias = nullptr;
};

struct RnnIo {
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
class RnnKernel {
 public:
  void Init(Isa isa, const RnnOptions& options);
  void Pack(const RnnWeights& weights);
  void Reserve(int batch, int time);
  void Run(const RnnIo& io);

  void Begin(const RnnIo& io, const OutputPlacement& placement = OutputPlacement());
  bool done() const { return seq_.done(); }
  void Step();
  void Finish() { seq_.Finish(); }

  const RnnOptions& options() const { return options_; }
  Isa isa() const { return isa_; }

  // Threads for Begin/Step (not owned; null = the calling thread only). Results do not depend
  // on it, bit for bit.
  // The input projection is split by unit blocks, and so is the step from kMinSplitStepBytes of
  // recurrent weights (thread_pool.h). With int8/float16 weights the recurrent product is a
  // separate GEMM, split by unit blocks too.
  void SetThreadPool(ThreadPool* pool) { pool_ = pool; }
  // The storage the weight matrices were packed in (float16 may be widened, PackedStorage).
  WeightType packed_type() const { return packed_type_; }

 private:
  SequenceConfig SeqConfig() const;
  bool fused() const { return packed_type_ == WeightType::kFloat32; }
  size_t ProductFloats(int batch) const;
  size_t QuantFloats(int batch, int time) const;

  Isa isa_ = Isa::kRef;
  RnnOptions options_;
  WeightType packed_type_ = WeightType::kFloat32;  // PackedStorage of options_.weight_type
  const mk::Microkernels* mk_ = nullptr;
  int padded_units_ = 0;
  PackedWeights packed_kernel_;     // [F, U]
  PackedWeights packed_recurrent_;  // [U, U]
  AlignedFloats packed_bias_;       // [Up]
  // gx [B*T, Up]; int8/float16: product [B, Up] and quantization scratch; then SequenceDriver
  // state.
  AlignedFloats scratch_;
  int reserved_batch_ = 0;
  int reserved_time_ = 0;
  ThreadPool* pool_ = nullptr;
  SequenceDriver seq_;
  ChunkedProjection gx_;
  float* product_ = nullptr;
  float* quant_ = nullptr;
  int run_batch_ = 0;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_RNN_H_
