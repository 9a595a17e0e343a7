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
  SequenceLayout(const SequenceAttrs& attrs, int num_states);

  int directions = 1;
  int num_states = 1;

  int Kernel(int d) const { return 1 + 3 * d; }  // then recurrent_kernel, bias
  int Mask() const { return 1 + 3 * directions; }
  int InitialState(int d, int k) const { return Mask() + (has_mask_ ? 1 : 0) + d * num_states + k; }
  int NumInputs() const;
  int NumSequenceOutputs() const { return two_outputs_ ? 2 : 1; }
  int FinalState(int d, int k) const { return NumSequenceOutputs() + d * num_states + k; }
  int NumOutputs() const { return NumSequenceOutputs() + directions * num_states; }
  OutputTarget Target(int d) const;
  bool NeedsBackwardBuffer() const { return directions == 2 && Target(1) == OutputTarget::kBackwardBuffer; }
  // Units of output 0's last axis.
  int OutputUnits(int units) const { return concat_ ? 2 * units : units; }

 private:
  bool has_mask_ = false;
  bool has_initial_state_ = false;
  bool two_outputs_ = false;
  bool concat_ = false;
};

bool CheckArity(TfLiteContext* context, const char* op, const TfLiteNode* node,
                const SequenceLayout& layout);
bool CheckMask(TfLiteContext* context, const char* op, const TfLiteTensor& mask, bool time_major,
               const SequenceShape& s);
bool CheckOutputTypes(TfLiteContext* context, const char* op, const TfLiteNode* node);
TfLiteStatus ResizeOutputs(TfLiteContext* context, const char* op, TfLiteNode* node,
                           const SequenceAttrs& a,
                           const SequenceLayout& layout, const SequenceShape& s);
// Elements of one direction's output: B*T*U with return_sequences, else B*U.
size_t OutputElements(const TfLiteTensor& x, const SequenceAttrs& a);
// output = merge(output, backward) for "sum", "mul", "ave" (Keras's arithmetic).
void MergeInPlace(MergeMode mode, const float* backward, float* output, size_t n);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_SEQUENCE_LAYOUT_H_
