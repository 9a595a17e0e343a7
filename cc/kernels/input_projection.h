// The first half of every recurrent kernel: the time steps' input projections as GEMMs, either
// all at once or a chunk of steps at a time just before the steps that read them.
#ifndef TFLITE_RNN_OPS_KERNELS_INPUT_PROJECTION_H_
#define TFLITE_RNN_OPS_KERNELS_INPUT_PROJECTION_H_

#include <cstddef>
#include <cstdint>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/packed_weights.h"
#include "cc/kernels/thread_pool.h"

namespace tflite_rnn_ops {

struct InputProjection {
  const float* x = nullptr;  // [B*T, F] in the caller's layout (batch- or time-major)
  int batch = 0;
  int time = 0;
  int input_size = 0;    // F
  int gates = 0;         // G
  int padded_units = 0;  // Up
  const PackedWeights* kernel = nullptr;  // [F, G*U] in any storage type
  const float* packed_bias = nullptr;
  float* quant_scratch = nullptr;  // int8 only
  bool time_major = false;
  // With lengths and go_backwards, row b's iteration s reads time len[b]-1-s while s < len[b],
  // so the time loop reads one iteration index for every row (TF1 reverse_sequence semantics).
  const int32_t* lengths = nullptr;
  bool go_backwards = false;
};

// gx for one call of a cell kernel, [B, kChunkSteps, G*Up] in x's layout (bias folded in),
// projected kChunkSteps iterations at a time as the steps ask for them. With a pool each thread
// computes its own panels (unit blocks, all gates) for every row: the same sums as one thread,
// bit for bit. int8 weights quantize x's rows into quant_scratch
// (kernel->QuantScratchFloats(B*T)) first. The one-GEMM-up-front alternative writes B*T*G*Up floats that the steps then read
// once each: at T=100 that is 300-400 KiB passing through L2 next to the recurrent weights the
// steps re-read every step, and it made the steps of GRU(256) and LSTM(256) 7-10% slower than
// with the same projection done a chunk at a time (rnn_bench, AVX-512 Xeon, 2 MiB L2). A chunk
// is the same sums (every gx row is its own dot products), so the bits do not change; it also
// shrinks the gx scratch to one chunk, whatever T, go_backwards and lengths.
class ChunkedProjection {
 public:
  static constexpr int kChunkSteps = 16;

  // Scratch floats for gx.
  static size_t Floats(int batch, int time, int gates, int padded_units);

  // gx must hold Floats(p.batch, p.time, p.gates, p.padded_units).
  void Begin(const InputProjection& p, float* gx, ThreadPool* pool);
  // gx of batch row 0 at time index t (the driver's time_index(): with lengths and
  // go_backwards, the iteration), its chunk projected first if it is not the current one.
  const float* Row(int t);
  // Floats from one batch row's gx to the next.
  size_t batch_stride() const { return batch_stride_; }

 private:
  void ProjectChunk(int begin, int end);

  InputProjection p_;
  float* gx_ = nullptr;
  ThreadPool* pool_ = nullptr;
  int span_ = 0;  // time steps one chunk holds
  int begin_ = 0, end_ = 0;  // the chunk in gx_
  size_t row_floats_ = 0;    // G * Up
  size_t batch_stride_ = 0;
};

// The projection of one call of any cell kernel (their Options and Io share these fields).
template <class Options, class Io>
InputProjection InputProjectionOf(const Options& options, const Io& io, int gates,
                                  int padded_units, const PackedWeights& kernel,
                                  const float* packed_bias, float* quant_scratch) {
  InputProjection p;
  p.x = io.x;
  p.batch = io.batch;
  p.time = io.time;
  p.input_size = options.input_size;
  p.gates = gates;
  p.padded_units = padded_units;
  p.kernel = &kernel;
  p.packed_bias = packed_bias;
  p.quant_scratch = quant_scratch;
  p.time_major = options.time_major;
  p.lengths = io.lengths;
  p.go_backwards = options.go_backwards;
  return p;
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_INPUT_PROJECTION_H_
