#include "cc/kernels/input_projection.h"

#include <algorithm>
#include <cassert>
#include <cstddef>

#include "cc/kernels/aligned_buffer.h"
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

namespace {

bool ProjectedWhole(const InputProjection& p) {
  return p.lengths != nullptr && p.go_backwards;
}

}  // namespace

size_t ChunkedProjection::Floats(int batch, int time, int gates, int padded_units,
                                 bool go_backwards) {
  const int span = go_backwards ? time : std::min(time, kChunkSteps);
  return RoundToCacheLine(static_cast<size_t>(batch) * span * gates * padded_units);
}

void ChunkedProjection::Begin(const InputProjection& p, float* gx, ThreadPool* pool) {
  p_ = p;
  gx_ = gx;
  pool_ = pool;
  row_floats_ = static_cast<size_t>(p.gates) * p.padded_units;
  begin_ = end_ = 0;
  if (ProjectedWhole(p)) {
    span_ = p.time;
    ProjectInputs(p, gx, pool);
    end_ = p.time;
  } else {
    span_ = std::min(p.time, kChunkSteps);
  }
  batch_stride_ = p.time_major ? row_floats_ : row_floats_ * span_;
}

const float* ChunkedProjection::Row(int t) {
  assert(t >= 0 && t < p_.time);
  if (t < begin_ || t >= end_) {
    const int begin = t / span_ * span_;
    ProjectChunk(begin, std::min(begin + span_, p_.time));
  }
  const size_t offset = static_cast<size_t>(t - begin_) * row_floats_;
  return gx_ + (p_.time_major ? offset * p_.batch : offset);
}

// Time-major rows of a chunk are contiguous in x and in gx; batch-major ones are contiguous per
// batch row, so each batch row is its own GEMM.
void ChunkedProjection::ProjectChunk(int begin, int end) {
  InputProjection c = p_;
  c.lengths = nullptr;
  c.time = end - begin;
  const size_t in = static_cast<size_t>(p_.input_size);
  if (p_.time_major) {
    c.x = p_.x + static_cast<size_t>(begin) * p_.batch * in;
    ProjectInputs(c, gx_, pool_);
  } else {
    c.batch = 1;
    for (int b = 0; b < p_.batch; ++b) {
      c.x = p_.x + (static_cast<size_t>(b) * p_.time + begin) * in;
      ProjectInputs(c, gx_ + b * batch_stride_, pool_);
    }
  }
  begin_ = begin;
  end_ = end;
}

}  // namespace tflite_rnn_ops
