#include "cc/kernels/sequence.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "cc/kernels/aligned_buffer.h"

namespace tflite_rnn_ops {
namespace {

void CopyRow(float* dst, const float* src, int n) { std::memcpy(dst, src, sizeof(float) * n); }
void ZeroRow(float* dst, int n) { std::memset(dst, 0, sizeof(float) * n); }

size_t StateRegion(const SequenceConfig& config, int state, int batch) {
  return RoundToCacheLine(static_cast<size_t>(config.Padded(state)) * batch);
}

}  // namespace

size_t SequenceDriver::ScratchFloats(const SequenceConfig& config, int batch) {
  size_t total = StateRegion(config, 0, batch);  // the previous output
  for (int s = 0; s < config.num_states; ++s) total += 2 * StateRegion(config, s, batch);
  return total;
}

void SequenceDriver::Begin(const SequenceConfig& config, const SequenceIo& io, float* scratch) {
  assert(config.units > 0 && config.padded_units >= config.units);
  assert(config.num_states == 1 || config.num_states == 2);
  assert(config.Padded(1) >= config.Width(1));
  assert(io.batch > 0 && io.time >= 0 && io.output != nullptr);
  assert(io.mask == nullptr || io.lengths == nullptr);
  config_ = config;
  io_ = io;
  for (int s = 0; s < config.num_states; ++s) {
    const size_t rows = StateRegion(config, s, io.batch);
    state_[s][0] = scratch;
    state_[s][1] = scratch + rows;
    scratch += 2 * rows;
    // Zero the whole buffers: padding lanes must hold finite values for the SIMD cells.
    std::memset(state_[s][0], 0, sizeof(float) * rows * 2);
    if (io.initial[s] == nullptr) continue;
    const int width = config.Width(s);
    for (int b = 0; b < io.batch; ++b) {
      CopyRow(state_[s][0] + b * state_stride(s), io.initial[s] + b * width, width);
    }
  }
  last_output_ = scratch;
  std::memset(last_output_, 0, sizeof(float) * StateRegion(config, 0, io.batch));
  cur_ = 0;
  step_ = 0;
  PrepareStep();
}

bool SequenceDriver::RowValid(int b) const {
  if (io_.lengths != nullptr) return step_ < io_.lengths[b];
  if (io_.mask == nullptr) return true;
  const int t = time_index();
  const size_t index = config_.time_major ? static_cast<size_t>(t) * io_.batch + b
                                          : static_cast<size_t>(b) * io_.time + t;
  return io_.mask[index] != 0;
}

void SequenceDriver::PrepareStep() {
  any_valid_ = true;
  if (!Masked() || done()) return;
  any_valid_ = false;
  for (int b = 0; b < io_.batch && !any_valid_; ++b) any_valid_ = RowValid(b);
}

void SequenceDriver::Commit() {
  assert(!done());
  if (any_valid_) {
    if (Masked()) {
      for (int b = 0; b < io_.batch; ++b) {
        if (RowValid(b)) continue;
        for (int s = 0; s < config_.num_states; ++s) {
          const size_t off = b * state_stride(s);
          CopyRow(next(s) + off, prev(s) + off, config_.Width(s));
        }
      }
    }
    cur_ = 1 - cur_;
  }
  WriteStepOutputs();
  ++step_;
  PrepareStep();
}

// Output sequence index of row b at this iteration. With lengths, a backward row's valid steps
// go to t = len-1-s in time order; its invalid iterations s >= len write the zeros of t = s.
int SequenceDriver::OutputIndex(int b, bool valid) const {
  if (!io_.placement.time_order || !config_.go_backwards) return step_;
  if (io_.lengths == nullptr) return time_index();
  return valid ? io_.lengths[b] - 1 - step_ : step_;
}

// Keeps last_output_ (mask case) and, with return_sequences, the output row of this step.
void SequenceDriver::WriteStepOutputs() {
  const int u = config_.units;
  const int up = config_.padded_units;
  const bool mask = io_.mask != nullptr;
  if (!config_.return_sequences && !mask) return;
  const int stride = io_.placement.row_stride > 0 ? io_.placement.row_stride : u;
  for (int b = 0; b < io_.batch; ++b) {
    const bool valid = RowValid(b);
    const float* y = prev(0) + b * up;
    if (mask) {
      float* last = last_output_ + b * up;
      if (valid) {
        CopyRow(last, y, u);
      } else if (config_.zero_output_for_mask) {
        ZeroRow(last, u);
      }
      y = last;
    }
    if (!config_.return_sequences) continue;
    const int q = OutputIndex(b, valid);
    const size_t row = config_.time_major ? static_cast<size_t>(q) * io_.batch + b
                                          : static_cast<size_t>(b) * io_.time + q;
    if (!valid && io_.lengths != nullptr) {
      ZeroRow(io_.output + row * stride, u);
    } else {
      CopyRow(io_.output + row * stride, y, u);
    }
  }
}

void SequenceDriver::Finish() {
  assert(done());
  const int u = config_.units;
  const int up = config_.padded_units;
  for (int b = 0; b < io_.batch; ++b) {
    for (int s = 0; s < config_.num_states; ++s) {
      if (io_.final_states[s] == nullptr) continue;
      const int width = config_.Width(s);
      CopyRow(io_.final_states[s] + b * width, prev(s) + b * state_stride(s), width);
    }
    if (config_.return_sequences) continue;
    const int stride = io_.placement.row_stride > 0 ? io_.placement.row_stride : u;
    // Output == state 0, carried past a row's end, so with lengths the last output is the final
    // h (zeros for an empty row). T == 0 leaves no step to take an output from: Keras would
    // fail; report zeros (last_output_ is still zero then).
    const bool empty = io_.time == 0 || (io_.lengths != nullptr && io_.lengths[b] == 0);
    const float* y = io_.mask != nullptr || empty ? last_output_ + b * up : prev(0) + b * up;
    CopyRow(io_.output + b * stride, y, u);
  }
}

}  // namespace tflite_rnn_ops
