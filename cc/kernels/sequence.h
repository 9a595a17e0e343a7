// Time-loop bookkeeping shared by the LSTM, GRU and SimpleRNN drivers, so the Keras masking and
// ordering rules live in one place:
//  - iteration s visits t = s, or t = T-1-s with go_backwards;
//  - states are double-buffered (the cell reads prev, writes next, never in place);
//  - a masked row keeps its states; its output is the previous output (zeros before the first
//    step), or zeros with zero_output_for_mask;
//  - the output sequence is written in iteration order (Keras), unless the caller asks for time
//    order (a Bidirectional backward layer, which Keras reverses back afterwards).
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
  int units = 0;
  int padded_units = 0;  // state row stride inside scratch
  int num_states = 1;    // 1 (h) or 2 (h, c); state 0 is the output
  bool time_major = false;
  bool go_backwards = false;
  bool return_sequences = false;
  bool zero_output_for_mask = false;
};

struct SequenceIo {
  int batch = 0;
  int time = 0;
  const uint8_t* mask = nullptr;
  const float* initial[2] = {nullptr, nullptr};  // null = zeros
  float* output = nullptr;
  float* final_states[2] = {nullptr, nullptr};
  OutputPlacement placement;
};

class SequenceDriver {
 public:
  // Scratch floats needed for `batch` rows (states x2 buffers, plus the previous output).
  static size_t ScratchFloats(const SequenceConfig& config, int batch);

  // Loads initial states into scratch and rewinds to iteration 0.
  void Begin(const SequenceConfig& config, const SequenceIo& io, float* scratch);
  bool done() const { return step_ >= io_.time; }
  // Time index of the current iteration.
  int time_index() const { return config_.go_backwards ? io_.time - 1 - step_ : step_; }
  // False when every row is masked at this step: the caller may skip the cell entirely.
  bool any_valid() const { return any_valid_; }
  const float* prev(int state) const { return state_[state][cur_]; }
  float* next(int state) { return state_[state][1 - cur_]; }
  size_t state_stride() const { return static_cast<size_t>(config_.padded_units); }
  // Call after the cell wrote next() for every row (or without it when !any_valid()).
  void Commit();
  // Writes the last output and final states. Call once done().
  void Finish();

 private:
  bool RowValid(int b) const;
  void PrepareStep();
  void WriteStepOutputs();

  SequenceConfig config_;
  SequenceIo io_;
  float* state_[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};
  float* last_output_ = nullptr;  // [B, padded_units], only with a mask
  int cur_ = 0;
  int step_ = 0;
  bool any_valid_ = true;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_SEQUENCE_H_
