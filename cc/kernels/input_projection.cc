#include "cc/kernels/input_projection.h"

#include <cstddef>

#include "cc/kernels/sequence.h"

namespace tflite_rnn_ops {

void ProjectInputs(const InputProjection& p, float* gx,
                   ThreadPool* pool) {
  if (p.time == 0) return;
  const int rows = p.batch * p.time;
  const size_t out_stride = static_cast<size_t>(p.gates) * p.padded_units;
  p.kernel->MultiplyAll(rows, p.x, p.input_size, p.packed_bias, gx, out_stride, p.quant_scratch,
                        pool);
  if (p.lengths != nullptr && p.go_backwards) {
    ReverseWithinLengths(gx, out_stride, p.batch, p.time, p.time_major, p.lengths);
  }
}

}  // namespace tflite_rnn_ops
