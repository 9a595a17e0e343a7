#include "cc/tflite/sequence_layout.h"

#include <string>
#include <vector>

namespace tflite_rnn_ops {

SequenceLayout::SequenceLayout(const SequenceAttrs& attrs, int states, int weights_per_direction,
                               int matrices_per_direction)
    : directions(attrs.direction == Direction::kBidirectional ? 2 : 1),
      num_states(states),
      weights(weights_per_direction),
      matrices(matrices_per_direction),
      has_mask_(attrs.has_mask),
      column_scales_(attrs.column_scales),
      has_initial_state_(attrs.has_initial_state),
      two_outputs_(directions == 2 && attrs.merge_mode == MergeMode::kNone),
      concat_(directions == 2 && attrs.merge_mode == MergeMode::kConcat) {}

int SequenceLayout::InputsBeforeScales() const {
  return Mask() + (has_mask_ ? 1 : 0) + (has_initial_state_ ? directions * num_states : 0);
}

int SequenceLayout::NumInputs() const {
  return InputsBeforeScales() + (column_scales_ ? directions * matrices : 0);
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
                    " outputs (per its direction/merge_mode/mask/initial_state/column_scales "
                    "options), got " +
                    std::to_string(node->inputs->size) + " and " +
                    std::to_string(node->outputs->size));
  return false;
}

bool CheckMask(TfLiteContext* context, const char* op, const TfLiteTensor& mask,
               const SequenceAttrs& a, const SequenceShape& s) {
  if (a.lengths) {
    return CheckTensor(context, op, "lengths", mask, abi::kTfLiteInt32, {s.batch}, "[B]");
  }
  const std::vector<int> dims = a.time_major ? std::vector<int>{s.time, s.batch}
                                             : std::vector<int>{s.batch, s.time};
  return CheckTensor(context, op, "mask", mask, abi::kTfLiteBool, dims,
                     a.time_major ? "[T, B]" : "[B, T]");
}

bool CheckLengthValues(TfLiteContext* context, const char* op, const TfLiteTensor& lengths,
                       int time) {
  const auto* values = static_cast<const int32_t*>(lengths.data);
  for (int b = 0; b < lengths.dims->data[0]; ++b) {
    if (values[b] < 0 || values[b] > time) {
      ReportOpError(context, op, "input 'lengths' expected values in [0, T=" +
                                     std::to_string(time) + "], got " +
                                     std::to_string(values[b]) + " for batch row " +
                                     std::to_string(b));
      return false;
    }
  }
  return true;
}

bool CheckOutputTypes(TfLiteContext* context, const char* op, const TfLiteNode* node) {
  for (int i = 0; i < node->outputs->size; ++i) {
    const int type = NodeOutput(context, node, i).type;
    if (type != abi::kTfLiteFloat32 && type != abi::kTfLiteNoType) {
      ReportOpError(context, op, "output " + std::to_string(i) + " expected float32, got " +
                                     TypeName(type));
      return false;
    }
  }
  return true;
}

TfLiteStatus ResizeOutputs(TfLiteContext* context, const char* op, TfLiteNode* node,
                           const SequenceAttrs& a, const SequenceLayout& layout,
                           const SequenceShape& s, int out_units, const int* state_units) {
  const int u = layout.OutputUnits(out_units);
  std::vector<int> seq = {s.batch, u};
  if (a.return_sequences) {
    seq = a.time_major ? std::vector<int>{s.time, s.batch, u} : std::vector<int>{s.batch, s.time, u};
  }
  for (int i = 0; i < layout.NumOutputs(); ++i) {
    const int k = (i - layout.NumSequenceOutputs()) % layout.num_states;
    const std::vector<int> dims = i < layout.NumSequenceOutputs()
                                      ? seq
                                      : std::vector<int>{s.batch, state_units[k]};
    if (ResizeTensor(context, &NodeOutput(context, node, i), dims) != abi::kTfLiteOk) {
      ReportOpError(context, op, "could not resize output " + std::to_string(i));
      return abi::kTfLiteError;
    }
  }
  return abi::kTfLiteOk;
}

size_t OutputElements(const TfLiteTensor& x, const SequenceAttrs& a, int out_units) {
  const size_t bt = static_cast<size_t>(x.dims->data[0]) * x.dims->data[1];
  const size_t b = static_cast<size_t>(x.dims->data[a.time_major ? 1 : 0]);
  return (a.return_sequences ? bt : b) * out_units;
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
