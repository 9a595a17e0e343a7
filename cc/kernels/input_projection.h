// The first half of every recurrent kernel: all time steps' input projections as one GEMM.
#ifndef TFLITE_RNN_OPS_KERNELS_INPUT_PROJECTION_H_
#define TFLITE_RNN_OPS_KERNELS_INPUT_PROJECTION_H_

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
  // With lengths and go_backwards, each row's valid steps are reversed in place afterwards, so
  // the time loop reads one time index for every row (TF1 reverse_sequence semantics).
  const int32_t* lengths = nullptr;
  bool go_backwards = false;
};

// gx [B*T, G*Up] (bias folded in) keeps x's row order. With a pool each thread computes its own
// panels (unit blocks, all gates) for every row: the same sums as one thread, bit for bit.
// int8 weights quantize x's rows into quant_scratch (kernel->QuantScratchFloats(B*T)) first.
void ProjectInputs(const InputProjection& p, float* gx, ThreadPool* pool = nullptr);

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
