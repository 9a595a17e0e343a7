#include "cc/tflite/sequence_layout.h"

#include <string>
#include <vector>

namespace tflite_rnn_ops {

SequenceLayout::SequenceLayout(const SequenceAttrs& attrs, int states)
    : directions(attrs.direction == Direction::kBidirectional ? 2 : 1),
      num_states(states),
      has_mask_(attrs.has_mask),
      has_initial_state_(attrs.has_initial_state),
      two_outputs_(directions == 2 && attrs.merge_mode == MergeMode::kNone),
      concat_(directions == 2 && attrs.merge_mode == MergeMode::kConcat) {}

int SequenceLayout::NumInputs() const {
  return Mask() + (has_mask_ ? 1 : 0) + (has_initial_state_ ? directions * num_states : 0);
}

OutputTarget SequenceLayout::Target(int d) const {
  if (concat_) return OutputTarget::kConcatHalf;
  if (d == 0) return OutputTarget::kOwnTensor;
  if (two_outputs_) return OutputTarget::kSecondTensor;
  return OutputTarget::kBackwardBuffer;
}

bool CheckArity(TfLiteContext* context, const char* op, const TfLiteNode* node,
                const SequenceLayout& layout) {
  if (node->inputs->size == layout.NumInputs() && node->outputs->size == layout.NumOutputs()) {
    return true;
  }
  ReportOpError(context, op,
                "expected " + std::to_string(layout.NumInputs()) + " inputs and " +
                    std::to_string(layout.NumOutputs()) +
                    " outputs (per its direction/merge_mode/mask/initial_state options), got " +
                    std::to_string(node->inputs->size) + " and " +
                    std::to_string(node->outputs->size));
  return false;
}

bool CheckMask(TfLiteContext* context, const char* op, const TfLiteTensor& mask, bool time_major,
               const SequenceShape& s) {
  const std::vector<int> dims = time_major ? std::vector<int>{s.time, s.batch}
                                           : std::vector<int>{s.batch, s.time};
  return CheckTensor(context, op, "mask", mask, abi::kTfLiteBool, dims,
                     time_major ? "[T, B]" : "[B, T]");
}

bool CheckOutputTypes(TfLiteContext* context, const char* op, const TfLiteNode* node) {
  for (int i = 0; i < node->outputs->size; ++i) {
    const int type = NodeOutput(context, node, i).type;
    if (type != abi::kTfLiteFloat32) {
      ReportOpError(context, op, "output " + std::to_string(i) + " expected float32, got " +
                                     TypeName(type));
      return false;
    }
  }
  return true;
}

TfLiteStatus ResizeOutputs(TfLiteContext* context, const char* op, TfLiteNode* node,
                           const SequenceAttrs& a,
                           const SequenceLayout& layout, const SequenceShape& s) {
  const int u = layout.OutputUnits(a.units);
  std::vector<int> seq = {s.batch, u};
  if (a.return_sequences) {
    seq = a.time_major ? std::vector<int>{s.time, s.batch, u} : std::vector<int>{s.batch, s.time, u};
  }
  for (int i = 0; i < layout.NumOutputs(); ++i) {
    const bool is_sequence = i < layout.NumSequenceOutputs();
    const std::vector<int> dims = is_sequence ? seq : std::vector<int>{s.batch, a.units};
    if (ResizeTensor(context, &NodeOutput(context, node, i), dims) != abi::kTfLiteOk) {
      ReportOpError(context, op, "could not resize output " + std::to_string(i));
      return abi::kTfLiteError;
    }
  }
  return abi::kTfLiteOk;
}

size_t OutputElements(const TfLiteTensor& x, const SequenceAttrs& a) {
  const size_t bt = static_cast<size_t>(x.dims->data[0]) * x.dims->data[1];
  const size_t b = static_cast<size_t>(x.dims->data[a.time_major ? 1 : 0]);
  return (a.return_sequences ? bt : b) * a.units;
}

void MergeInPlace(MergeMode mode, const float* backward, float* output, size_t n) {
  switch (mode) {
    case MergeMode::kSum:
      for (size_t i = 0; i < n; ++i) output[i] = output[i] + backward[i];
      break;
    case MergeMode::kMul:
      for (size_t i = 0; i < n; ++i) output[i] = output[i] * backward[i];
      break;
    case MergeMode::kAve:
      for (size_t i = 0; i < n; ++i) output[i] = (output[i] + backward[i]) / 2.0f;
      break;
    default:
      break;
  }
}

}  // namespace tflite_rnn_ops
