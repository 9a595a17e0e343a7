#include "cc/kernels/sequence.h"

#include <cassert>
#include <cstring>

#include "cc/kernels/aligned_buffer.h"

namespace tflite_rnn_ops {
namespace {

void CopyRow(float* dst, const float* src, int n) { std::memcpy(dst, src, sizeof(float) * n); }
void ZeroRow(float* dst, int n) { std::memset(dst, 0, sizeof(float) * n); }

}  // namespace

size_t SequenceDriver::ScratchFloats(const SequenceConfig& config, int batch) {
  const size_t region = RoundToCacheLine(static_cast<size_t>(config.padded_units) * batch);
  return region * (2 * config.num_states + 1);
}

void SequenceDriver::Begin(const SequenceConfig& config, const SequenceIo& io, float* scratch) {
  assert(config.units > 0 && config.padded_units >= config.units);
  assert(config.num_states == 1 || config.num_states == 2);
  assert(io.batch > 0 && io.time >= 0 && io.output != nullptr);
  config_ = config;
  io_ = io;
  const int up = config.padded_units;
  const size_t rows = RoundToCacheLine(static_cast<size_t>(up) * io.batch);
  for (int s = 0; s < config.num_states; ++s) {
    state_[s][0] = scratch + (2 * s) * rows;
    state_[s][1] = scratch + (2 * s + 1) * rows;
    // Zero the whole buffers: padding lanes must hold finite values for the SIMD cells.
    std::memset(state_[s][0], 0, sizeof(float) * rows * 2);
    if (io.initial[s] == nullptr) continue;
    for (int b = 0; b < io.batch; ++b) {
      CopyRow(state_[s][0] + b * up, io.initial[s] + b * config.units, config.units);
    }
  }
  last_output_ = scratch + 2 * config.num_states * rows;
  std::memset(last_output_, 0, sizeof(float) * rows);
  cur_ = 0;
  step_ = 0;
  PrepareStep();
}

bool SequenceDriver::RowValid(int b) const {
  if (io_.mask == nullptr) return true;
  const int t = time_index();
  const size_t index = config_.time_major ? static_cast<size_t>(t) * io_.batch + b
                                          : static_cast<size_t>(b) * io_.time + t;
  return io_.mask[index] != 0;
}

void SequenceDriver::PrepareStep() {
  any_valid_ = true;
  if (io_.mask == nullptr || done()) return;
  any_valid_ = false;
  for (int b = 0; b < io_.batch && !any_valid_; ++b) any_valid_ = RowValid(b);
}

void SequenceDriver::Commit() {
  assert(!done());
  const int up = config_.padded_units;
  if (any_valid_) {
    if (io_.mask != nullptr) {
      for (int b = 0; b < io_.batch; ++b) {
        if (RowValid(b)) continue;
        for (int s = 0; s < config_.num_states; ++s) {
          CopyRow(next(s) + b * up, prev(s) + b * up, config_.units);
        }
      }
    }
    cur_ = 1 - cur_;
  }
  WriteStepOutputs();
  ++step_;
  PrepareStep();
}

// Keeps last_output_ (mask case) and, with return_sequences, the output row of this step.
void SequenceDriver::WriteStepOutputs() {
  const int u = config_.units;
  const int up = config_.padded_units;
  const bool masked = io_.mask != nullptr;
  if (!config_.return_sequences && !masked) return;
  const int stride = io_.placement.row_stride > 0 ? io_.placement.row_stride : u;
  const int q = io_.placement.time_order ? time_index() : step_;
  for (int b = 0; b < io_.batch; ++b) {
    const float* y = prev(0) + b * up;
    if (masked) {
      float* last = last_output_ + b * up;
      if (RowValid(b)) {
        CopyRow(last, y, u);
      } else if (config_.zero_output_for_mask) {
        ZeroRow(last, u);
      }
      y = last;
    }
    if (!config_.return_sequences) continue;
    const size_t row = config_.time_major ? static_cast<size_t>(q) * io_.batch + b
                                          : static_cast<size_t>(b) * io_.time + q;
    CopyRow(io_.output + row * stride, y, u);
  }
}

void SequenceDriver::Finish() {
  assert(done());
  const int u = config_.units;
  const int up = config_.padded_units;
  for (int b = 0; b < io_.batch; ++b) {
    for (int s = 0; s < config_.num_states; ++s) {
      if (io_.final_states[s] != nullptr) CopyRow(io_.final_states[s] + b * u, prev(s) + b * up, u);
    }
    if (config_.return_sequences) continue;
    const int stride = io_.placement.row_stride > 0 ? io_.placement.row_stride : u;
    // T == 0 leaves no step to take an output from: Keras would fail; report zeros.
    const float* y = io_.mask != nullptr || io_.time == 0 ? last_output_ + b * up
                                                          : prev(0) + b * up;
    CopyRow(io_.output + b * stride, y, u);
  }
}

}  // namespace tflite_rnn_ops
