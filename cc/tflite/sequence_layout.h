// Where each tensor of a sequence op sits, derived from its attributes (docs/ops.md), plus the
// checks and output sizing that depend only on that layout.
#ifndef TFLITE_RNN_OPS_TFLITE_SEQUENCE_LAYOUT_H_
#define TFLITE_RNN_OPS_TFLITE_SEQUENCE_LAYOUT_H_

#include <cstddef>

#include "cc/tflite/op_common.h"

namespace tflite_rnn_ops {

// Where one direction writes its output sequence.
enum class OutputTarget {
  kOwnTensor,       // output 0
  kSecondTensor,    // output 1 (bidirectional, merge_mode "none")
  kConcatHalf,      // its half of output 0 (bidirectional, "concat")
  kBackwardBuffer,  // scratch, merged into output 0 afterwards ("sum", "mul", "ave")
};

class SequenceLayout {
 public:
  SequenceLayout() = default;
  // weights: tensors per direction (kernel, recurrent_kernel, bias, then any cell extras), of
  // which `matrices` are weight matrices (kernel, recurrent_kernel, an LSTM projection).
  SequenceLayout(const SequenceAttrs& attrs, int num_states, int weights, int matrices);

  int directions = 1;
  int num_states = 1;
  int weights = 3;
  int matrices = 2;

  int Kernel(int d) const { return 1 + weights * d; }  // then recurrent_kernel, bias, extras
  int Mask() const { return 1 + weights * directions; }
  int InitialState(int d, int k) const { return Mask() + (has_mask_ ? 1 : 0) + d * num_states + k; }
  // Option column_scales (v4): the scales of direction d's m-th weight matrix, after the rest.
  int ColumnScales(int d, int m) const { return InputsBeforeScales() + d * matrices + m; }
  bool has_column_scales() const { return column_scales_; }
  int NumInputs() const;
  int NumSequenceOutputs() const { return two_outputs_ ? 2 : 1; }
  int FinalState(int d, int k) const { return NumSequenceOutputs() + d * num_states + k; }
  int NumOutputs() const { return NumSequenceOutputs() + directions * num_states; }
  OutputTarget Target(int d) const;
  bool NeedsBackwardBuffer() const { return directions == 2 && Target(1) == OutputTarget::kBackwardBuffer; }
  // Width of output 0's last axis, given one direction's output width.
  int OutputUnits(int units) const { return concat_ ? 2 * units : units; }

 private:
  int InputsBeforeScales() const;

  bool has_mask_ = false;
  bool column_scales_ = false;
  bool has_initial_state_ = false;
  bool two_outputs_ = false;
  bool concat_ = false;
};

bool CheckArity(TfLiteContext* context, const char* op, const TfLiteNode* node,
                const SequenceLayout& layout);
// A bool [B, T] mask, or int32 [B] lengths.
bool CheckMask(TfLiteContext* context, const char* op, const TfLiteTensor& mask,
               const SequenceAttrs& a, const SequenceShape& s);
// Lengths are data: checked on every invoke, before the kernel reads them.
bool CheckLengthValues(TfLiteContext* context, const char* op, const TfLiteTensor& lengths,
                       int time);
bool CheckOutputTypes(TfLiteContext* context, const char* op, const TfLiteNode* node);
// out_units: one direction's output width; state_units: width of each state.
TfLiteStatus ResizeOutputs(TfLiteContext* context, const char* op, TfLiteNode* node,
                           const SequenceAttrs& a, const SequenceLayout& layout,
                           const SequenceShape& s, int out_units, const int* state_units);
// Elements of one direction's output: B*T*H with return_sequences, else B*H.
size_t OutputElements(const TfLiteTensor& x, const SequenceAttrs& a, int out_units);
// output = merge(output, backward) for "sum", "mul", "ave" (Keras's arithmetic).
void MergeInPlace(MergeMode mode, const float* backward, float* output, size_t n);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_SEQUENCE_LAYOUT_H_
