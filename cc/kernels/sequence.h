// Time-loop bookkeeping shared by the LSTM, GRU and SimpleRNN drivers, so the Keras masking and
// ordering rules live in one place:
//  - iteration s visits t = s, or t = T-1-s with go_backwards;
//  - states are double-buffered (the cell reads prev, writes next, never in place);
//  - a masked row keeps its states; its output is the previous output (zeros before the first
//    step), or zeros with zero_output_for_mask;
//  - the output sequence is written in iteration order (Keras), unless the caller asks for time
//    order (a Bidirectional backward layer, which Keras reverses back afterwards).
//
// Per-example lengths (TF1 dynamic_rnn's sequence_length, exclusive with a mask): row b runs
// steps t < len[b]; outputs at t >= len[b] are zeros; the final states are those after the
// row's last step (the initial states when len[b] == 0); the last output (no return_sequences)
// is the output of that step (zeros when len[b] == 0). With go_backwards, row b runs
// t = len[b]-1 .. 0 (tf.reverse_sequence semantics: reversal within the valid length). The
// input projection (ChunkedProjection) then puts row b's gx in iteration order, so at
// iteration s every row reads gx row s, and the driver only has to place outputs: with
// time_order at t = len[b]-1-s, otherwise at s.
//
// Everything lives in caller-provided scratch: nothing here allocates.
#ifndef TFLITE_RNN_OPS_KERNELS_SEQUENCE_H_
#define TFLITE_RNN_OPS_KERNELS_SEQUENCE_H_

#include <cstddef>
#include <cstdint>

namespace tflite_rnn_ops {

// Where the output sequence goes. The defaults are Keras's layout for a single layer.
struct OutputPlacement {
  // Floats between consecutive output rows; 0 = units. Lets a bidirectional concat write each
  // direction straight into its half of a [.., 2U] output.
  int row_stride = 0;
  // With go_backwards and return_sequences, write step t at time index t instead of at its
  // iteration index (i.e. the sequence Keras's Bidirectional gets after reversing it back).
  bool time_order = false;
};

struct SequenceConfig {
  int units = 0;         // width of state 0, which is also the output
  int padded_units = 0;  // state 0 row stride inside scratch
  int num_states = 1;    // 1 (h) or 2 (h, c); state 0 is the output
  // Width of state 1 when it differs from state 0 (LSTM with projection: c is [U], h is [P]).
  // 0 = same as state 0.
  int state1_units = 0;
  int state1_padded_units = 0;
  bool time_major = false;
  bool go_backwards = false;
  bool return_sequences = false;
  bool zero_output_for_mask = false;

  int Width(int state) const {
    return state == 1 && state1_units > 0 ? state1_units : units;
  }
  int Padded(int state) const {
    return state == 1 && state1_padded_units > 0 ? state1_padded_units : padded_units;
  }
};

struct SequenceIo {
  int batch = 0;
  int time = 0;
  const uint8_t* mask = nullptr;
  const int32_t* lengths = nullptr;  // [B], 0 <= len <= T; exclusive with mask
  const float* initial[2] = {nullptr, nullptr};  // null = zeros
  float* output = nullptr;
  float* final_states[2] = {nullptr, nullptr};
  OutputPlacement placement;
};

// The loop configuration every cell's Options share; state 0 is `units` wide.
template <class Options>
SequenceConfig SequenceConfigOf(const Options& options, int units, int padded_units,
                                int num_states) {
  SequenceConfig c;
  c.units = units;
  c.padded_units = padded_units;
  c.num_states = num_states;
  c.time_major = options.time_major;
  c.go_backwards = options.go_backwards;
  c.return_sequences = options.return_sequences;
  c.zero_output_for_mask = options.zero_output_for_mask;
  return c;
}

// The fields every cell's Io shares; the caller adds its states.
template <class Io>
SequenceIo SequenceIoOf(const Io& io, const OutputPlacement& placement) {
  SequenceIo s;
  s.batch = io.batch;
  s.time = io.time;
  s.mask = io.mask;
  s.lengths = io.lengths;
  s.output = io.output;
  s.placement = placement;
  return s;
}

class SequenceDriver {
 public:
  // Scratch floats needed for `batch` rows (states x2 buffers, plus the previous output).
  static size_t ScratchFloats(const SequenceConfig& config, int batch);

  // Loads initial states into scratch and rewinds to iteration 0.
  void Begin(const SequenceConfig& config, const SequenceIo& io, float* scratch);
  bool done() const { return step_ >= io_.time; }
  // Iterations taken so far; the cells alternate their weight order on its parity.
  int step() const { return step_; }
  // Which time row of gx every batch row reads at the current iteration. With lengths this is
  // the iteration index in both directions (see the file comment).
  int time_index() const {
    return config_.go_backwards && io_.lengths == nullptr ? io_.time - 1 - step_ : step_;
  }
  // False when every row is masked at this step: the caller may skip the cell entirely.
  bool any_valid() const { return any_valid_; }
  const float* prev(int state) const { return state_[state][cur_]; }
  float* next(int state) { return state_[state][1 - cur_]; }
  size_t state_stride(int state = 0) const { return static_cast<size_t>(config_.Padded(state)); }
  // Call after the cell wrote next() for every row (or without it when !any_valid()).
  void Commit();
  // Writes the last output and final states. Call once done().
  void Finish();

 private:
  bool RowValid(int b) const;
  bool Masked() const { return io_.mask != nullptr || io_.lengths != nullptr; }
  int OutputIndex(int b, bool valid) const;
  void PrepareStep();
  void WriteStepOutputs();

  SequenceConfig config_;
  SequenceIo io_;
  float* state_[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};
  float* last_output_ = nullptr;  // [B, padded_units], only with a mask or lengths
  int cur_ = 0;
  int step_ = 0;
  bool any_valid_ = true;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_SEQUENCE_H_
