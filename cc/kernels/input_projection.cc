#include "cc/kernels/input_projection.h"

#include <algorithm>
#include <cassert>
#include <cstddef>

#include "cc/kernels/aligned_buffer.h"

namespace tflite_rnn_ops {

namespace {

// rows x rows at x_stride floats -> rows gx rows at out_stride floats (bias folded in).
void Project(const InputProjection& p, int rows, const float* x, size_t x_stride, float* out,
             size_t out_stride, ThreadPool* pool) {
  if (rows <= 0) return;
  p.kernel->MultiplyAll(rows, x, x_stride, p.packed_bias, out, out_stride, p.quant_scratch, pool);
}

// Reverses the order of `rows` rows of `row_floats` floats, `stride` floats apart. In place.
void ReverseRows(float* first, size_t stride, size_t row_floats, int rows) {
  for (int i = 0; i < rows / 2; ++i) {
    float* lo = first + i * stride;
    std::swap_ranges(lo, lo + row_floats, first + (rows - 1 - i) * stride);
  }
}

}  // namespace

size_t ChunkedProjection::Floats(int batch, int time, int gates, int padded_units) {
  return RoundToCacheLine(static_cast<size_t>(batch) * std::min(time, kChunkSteps) * gates *
                          padded_units);
}

void ChunkedProjection::Begin(const InputProjection& p, float* gx, ThreadPool* pool) {
  p_ = p;
  gx_ = gx;
  pool_ = pool;
  row_floats_ = static_cast<size_t>(p.gates) * p.padded_units;
  begin_ = end_ = 0;
  span_ = std::min(p.time, kChunkSteps);
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

// Time-major rows of a chunk are contiguous in x and in gx: one GEMM. Batch-major ones are
// contiguous per batch row, so each batch row is its own GEMM. With lengths and go_backwards,
// iteration s of row b reads time len[b]-1-s while s < len[b] (TF1 reverse_sequence), so each
// batch row's chunk is two GEMMs: the reversed part from the contiguous x rows it needs, then
// put in iteration order, and the part past len[b] as is (all of it when nothing reverses).
void ChunkedProjection::ProjectChunk(int begin, int end) {
  const size_t in = static_cast<size_t>(p_.input_size);
  const size_t batch = static_cast<size_t>(p_.batch);
  begin_ = begin;
  end_ = end;
  const bool reverse = p_.lengths != nullptr && p_.go_backwards;
  if (p_.time_major && !reverse) {
    Project(p_, p_.batch * (end - begin), p_.x + begin * batch * in, in, gx_, row_floats_, pool_);
    return;
  }
  const size_t x_step = p_.time_major ? batch * in : in;             // x: one time step on
  const size_t gx_step = p_.time_major ? batch * row_floats_ : row_floats_;  // gx: one step on
  for (int b = 0; b < p_.batch; ++b) {
    const float* x = p_.x + (p_.time_major ? b * in : b * static_cast<size_t>(p_.time) * in);
    float* gx = gx_ + b * batch_stride_;  // iteration `begin` of row b
    const int n = reverse ? p_.lengths[b] : 0;
    const int reversed = std::min(end, n) - begin;
    if (reversed > 0) {
      Project(p_, reversed, x + (n - begin - reversed) * x_step, x_step, gx, gx_step, pool_);
      ReverseRows(gx, gx_step, row_floats_, reversed);
    }
    const int rest = std::max(begin, n);
    Project(p_, end - rest, x + rest * x_step, x_step, gx + (rest - begin) * gx_step, gx_step,
            pool_);
  }
}

}  // namespace tflite_rnn_ops
