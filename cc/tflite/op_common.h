// Validation and attribute parsing shared by our recurrent ops (TFLite side only).
#ifndef TFLITE_RNN_OPS_TFLITE_OP_COMMON_H_
#define TFLITE_RNN_OPS_TFLITE_OP_COMMON_H_

#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/tflite/c_abi.h"
#include "cc/tflite/options.h"

namespace tflite_rnn_ops {

using abi::TfLiteContext;
using abi::TfLiteNode;
using abi::TfLiteStatus;
using abi::TfLiteTensor;

enum class Direction { kForward, kReverse, kBidirectional };
enum class MergeMode { kConcat, kSum, kMul, kAve, kNone };

// Attributes every sequence op carries (see docs/ops.md).
// Contract version that added the "column_scales" inputs (ops.h).
inline constexpr int kColumnScalesVersion = 4;

struct SequenceAttrs {
  int version = 1;  // option "version": the contract version the op was written for
  Direction direction = Direction::kForward;
  MergeMode merge_mode = MergeMode::kConcat;  // bidirectional only
  int units = 0;
  bool time_major = false;
  bool go_backwards = false;
  bool return_sequences = false;
  bool zero_output_for_mask = false;
  bool has_mask = false;  // a "steps" or a "lengths" input follows the weights
  bool lengths = false;   // the mask input is int32 [B] lengths (TF1 sequence_length)
  bool has_initial_state = false;
  bool stateful = false;  // write final states back into the initial-state inputs (variables)
  bool column_scales = false;  // v4: int8 per-column scales are inputs after all the others
};

bool ParseSequenceAttrs(const OpOptions& options, SequenceAttrs* attrs, std::string* error);
bool ParseActivationAttr(const OpOptions& options, const char* key, const char* fallback,
                         Activation* out, std::string* error);

// Reports "<op>: <message>" through the context.
void ReportOpError(TfLiteContext* context, const char* op, const std::string& message);

// "[2, 5, 40]"
std::string ShapeString(const TfLiteTensor& tensor);
const char* TypeName(int type);

struct SequenceShape {
  int batch = 0;
  int time = 0;
  int features = 0;
};

// Each Check* reports a message naming the op and the tensor and returns false on mismatch.
// A dimension of -1 in `expected` accepts any size. A tensor of kTfLiteNoType has no type yet:
// LiteRT's custom-op API sizes outputs from layouts alone (litert_registration.cc), and that
// adapter prepares again with the real types before the first Eval, where the type is checked.
bool CheckTensor(TfLiteContext* context, const char* op, const char* name,
                 const TfLiteTensor& tensor, int type, const std::vector<int>& expected,
                 const char* layout);
bool CheckSequenceInput(TfLiteContext* context, const char* op, const TfLiteTensor& x,
                        bool time_major, SequenceShape* shape);

// Every buffer the op and its kernels size from the shapes (x, packed weights, the input
// projection of all steps, outputs, states) must fit: at most INT32_MAX elements (the kernels
// index rows with int) and PTRDIFF_MAX bytes (32-bit ARM: 2 GiB). Products are computed in 64
// bits with overflow checks, so B*T*G*U cannot wrap into a small allocation.
bool CheckSizes(TfLiteContext* context, const char* op, const SequenceShape& s, int gates,
                int units, int state_units, int directions);

// Keys of the options map that no op of this contract version knows (a misspelt "unit" would
// otherwise silently fall back to a default); `op` selects the cell's own keys.
bool CheckOptionKeys(const OpOptions& options, const char* op, std::string* error);

// Resizes `tensor` to `dims` (the context takes ownership of the dims array).
TfLiteStatus ResizeTensor(TfLiteContext* context, TfLiteTensor* tensor,
                          const std::vector<int>& dims);

// Weights whose data is fixed for the interpreter's lifetime can be packed once in Prepare.
bool IsConstantTensor(const TfLiteTensor& tensor);

inline TfLiteTensor& NodeInput(TfLiteContext* context, const TfLiteNode* node, int i) {
  return context->tensors[node->inputs->data[i]];
}
inline TfLiteTensor& NodeOutput(TfLiteContext* context, const TfLiteNode* node, int i) {
  return context->tensors[node->outputs->data[i]];
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_OP_COMMON_H_
