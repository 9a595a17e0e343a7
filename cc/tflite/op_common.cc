#include "cc/tflite/op_common.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>

#include "tflite_rnn_ops/ops.h"

namespace tflite_rnn_ops {

namespace {

template <class Enum, size_t N>
bool ParseEnum(const OpOptions& options, const char* key, const char* fallback,
               const char* const (&names)[N], Enum* out, std::string* error) {
  std::string value;
  if (!options.GetStringOr(key, fallback, &value, error)) return false;
  for (size_t i = 0; i < N; ++i) {
    if (value == names[i]) {
      *out = static_cast<Enum>(i);
      return true;
    }
  }
  *error = std::string("option '") + key + "' expected one of";
  for (size_t i = 0; i < N; ++i) *error += std::string(i ? ", " : " ") + names[i];
  *error += "; got \"" + value + "\"";
  return false;
}

bool ParseDirection(const OpOptions& options, SequenceAttrs* attrs, std::string* error) {
  static const char* const kDirections[] = {"forward", "reverse", "bidirectional"};
  static const char* const kMergeModes[] = {"concat", "sum", "mul", "ave", "none"};
  if (!ParseEnum(options, attr::kDirection, "forward", kDirections, &attrs->direction, error) ||
      !ParseEnum(options, attr::kMergeMode, "concat", kMergeModes, &attrs->merge_mode, error)) {
    return false;
  }
  if (attrs->go_backwards && attrs->direction != Direction::kForward) {
    *error = "option 'go_backwards' must be false with direction \"reverse\" or "
             "\"bidirectional\" (those directions already iterate backwards)";
    return false;
  }
  return true;
}

}  // namespace

bool ParseSequenceAttrs(const OpOptions& options, SequenceAttrs* attrs, std::string* error) {
  int64_t version = 0, units = 0;
  std::string mask;
  if (!options.GetInt(attr::kVersion, &version, error)) return false;
  if (version < 1 || version > kContractVersion) {
    *error = "option 'version' is " + std::to_string(version) + ", this runtime supports 1.." +
             std::to_string(kContractVersion) + " (upgrade tflite-rnn-ops)";
    return false;
  }
  attrs->version = static_cast<int>(version);
  if (!options.GetInt(attr::kUnits, &units, error)) return false;
  if (units < 1 || units > (1 << 20)) {
    *error = "option 'units' expected a positive int, got " + std::to_string(units);
    return false;
  }
  attrs->units = static_cast<int>(units);
  if (!options.GetBoolOr(attr::kTimeMajor, false, &attrs->time_major, error) ||
      !options.GetBoolOr(attr::kGoBackwards, false, &attrs->go_backwards, error) ||
      !options.GetBoolOr(attr::kReturnSequences, false, &attrs->return_sequences, error) ||
      !options.GetBoolOr(attr::kZeroOutputForMask, false, &attrs->zero_output_for_mask, error) ||
      !options.GetBoolOr(attr::kInitialState, false, &attrs->has_initial_state, error) ||
      !options.GetBoolOr(attr::kStateful, false, &attrs->stateful, error) ||
      !options.GetStringOr(attr::kMask, "none", &mask, error)) {
    return false;
  }
  if (mask != "none" && mask != "steps" && mask != "lengths") {
    *error = "option 'mask' expected \"none\", \"steps\" or \"lengths\", got \"" + mask + "\"";
    return false;
  }
  attrs->has_mask = mask != "none";
  attrs->lengths = mask == "lengths";
  if (!options.GetBoolOr(attr::kColumnScales, false, &attrs->column_scales, error)) return false;
  if (attrs->column_scales && attrs->version < kColumnScalesVersion) {
    *error = "option 'column_scales' needs option 'version' >= " +
             std::to_string(kColumnScalesVersion) + ", the op says " + std::to_string(version) +
             " (a damaged or hand-edited model; convert it again)";
    return false;
  }
  if (attrs->stateful && !attrs->has_initial_state) {
    *error = "option 'stateful' needs 'initial_state' (the state variables are those inputs)";
    return false;
  }
  return ParseDirection(options, attrs, error);
}

bool ParseActivationAttr(const OpOptions& options, const char* key, const char* fallback,
                         Activation* out, std::string* error) {
  std::string name;
  if (!options.GetStringOr(key, fallback, &name, error)) return false;
  if (!ActivationFromName(name, out)) {
    *error = std::string("option '") + key +
             "' expected an elementwise Keras activation the kernels implement (docs/ops.md); "
             "got \"" + name + "\"";
    return false;
  }
  return true;
}

void ReportOpError(TfLiteContext* context, const char* op, const std::string& message) {
  context->ReportError(context, "%s: %s", op, message.c_str());
}

std::string ShapeString(const TfLiteTensor& tensor) {
  if (tensor.dims == nullptr) return "[]";
  std::string s = "[";
  for (int i = 0; i < tensor.dims->size; ++i) {
    if (i) s += ", ";
    s += std::to_string(tensor.dims->data[i]);
  }
  return s + "]";
}

const char* TypeName(int type) {
  switch (type) {
    case abi::kTfLiteFloat32: return "float32";
    case abi::kTfLiteInt32: return "int32";
    case abi::kTfLiteUInt8: return "uint8";
    case abi::kTfLiteInt64: return "int64";
    case abi::kTfLiteString: return "string";
    case abi::kTfLiteBool: return "bool";
    case abi::kTfLiteInt16: return "int16";
    case abi::kTfLiteInt8: return "int8";
    case abi::kTfLiteFloat16: return "float16";
    case abi::kTfLiteFloat64: return "float64";
    default: return "unsupported type";
  }
}

bool CheckTensor(TfLiteContext* context, const char* op, const char* name,
                 const TfLiteTensor& tensor, int type, const std::vector<int>& expected,
                 const char* layout) {
  if (tensor.type != type && tensor.type != abi::kTfLiteNoType) {
    ReportOpError(context, op, std::string("input '") + name + "' expected " + TypeName(type) +
                                   ", got " + TypeName(tensor.type));
    return false;
  }
  bool ok = tensor.dims != nullptr && tensor.dims->size == static_cast<int>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i) {
    ok = expected[i] < 0 || tensor.dims->data[i] == expected[i];
  }
  if (!ok) {
    std::string want = "[";
    for (size_t i = 0; i < expected.size(); ++i) {
      if (i) want += ", ";
      want += expected[i] < 0 ? "?" : std::to_string(expected[i]);
    }
    ReportOpError(context, op, std::string("input '") + name + "' expected shape " + layout +
                                   " = " + want + "], got " + ShapeString(tensor));
    return false;
  }
  return true;
}

bool CheckSequenceInput(TfLiteContext* context, const char* op, const TfLiteTensor& x,
                        bool time_major, SequenceShape* shape) {
  const char* layout = time_major ? "[T, B, F]" : "[B, T, F]";
  if (!CheckTensor(context, op, "x", x, abi::kTfLiteFloat32, {-1, -1, -1}, layout)) return false;
  shape->batch = x.dims->data[time_major ? 1 : 0];
  shape->time = x.dims->data[time_major ? 0 : 1];
  shape->features = x.dims->data[2];
  if (shape->batch < 0 || shape->time < 1 || shape->features < 1) {
    ReportOpError(context, op, std::string("input 'x' expected at least one time step and one "
                                           "feature in ") + layout + ", got " + ShapeString(x));
    return false;
  }
  return true;
}

namespace {

// The widest SIMD vector any ISA pads units to (AVX-512: 16 floats).
constexpr uint64_t kMaxPadding = 16;

// a*b*..., false when the product exceeds `limit` (or 64 bits) at any point.
bool CheckedProduct(std::initializer_list<uint64_t> factors, uint64_t limit, uint64_t* out) {
  uint64_t p = 1;
  for (const uint64_t f : factors) {
    if (__builtin_mul_overflow(p, f, &p) || p > limit) return false;
  }
  *out = p;
  return true;
}

}  // namespace

bool CheckSizes(TfLiteContext* context, const char* op, const SequenceShape& s, int gates,
                int units, int state_units, int directions) {
  const uint64_t max_elements = std::min<uint64_t>(
      INT32_MAX, static_cast<uint64_t>(PTRDIFF_MAX) / sizeof(float));
  const uint64_t b = s.batch, t = s.time, f = s.features, g = gates, d = directions;
  const uint64_t u = static_cast<uint64_t>(units) + kMaxPadding;
  const uint64_t h = static_cast<uint64_t>(state_units) + kMaxPadding;
  const struct {
    const char* what;
    std::initializer_list<uint64_t> factors;
  } buffers[] = {
      {"x (B*T*F)", {b, t, f}},
      {"packed kernel (F*G*units)", {f, g, u}},
      {"packed recurrent kernel (H*G*units)", {h, g, u}},
      {"input projection of all steps (B*T*G*units)", {b, t, g, u}},
      {"output sequence (B*T*directions*H)", {b, t, d, h}},
  };
  for (const auto& buffer : buffers) {
    uint64_t n = 0;
    if (CheckedProduct(buffer.factors, max_elements, &n)) continue;
    ReportOpError(context, op,
                  std::string("sizes too large: ") + buffer.what + " exceeds " +
                      std::to_string(max_elements) + " elements (B=" + std::to_string(s.batch) +
                      ", T=" + std::to_string(s.time) + ", F=" + std::to_string(s.features) +
                      ", G=" + std::to_string(gates) + ", units=" + std::to_string(units) +
                      ", H=" + std::to_string(state_units) + ")");
    return false;
  }
  return true;
}

bool CheckOptionKeys(const OpOptions& options, const char* op, std::string* error) {
  static const char* const kShared[] = {
      attr::kVersion, attr::kUnits, attr::kActivation, attr::kTimeMajor, attr::kGoBackwards,
      attr::kReturnSequences, attr::kZeroOutputForMask, attr::kMask, attr::kInitialState,
      attr::kDirection, attr::kMergeMode, attr::kStateful, attr::kColumnScales};
  static const char* const kLstm[] = {attr::kRecurrentActivation, attr::kUsePeepholes,
                                      attr::kCellClip, attr::kNumProj, attr::kProjClip};
  static const char* const kGru[] = {attr::kRecurrentActivation, attr::kResetAfter};
  const bool lstm = std::strcmp(op, kLstmOpName) == 0, gru = std::strcmp(op, kGruOpName) == 0;
  for (const std::string& key : options.Keys()) {
    const auto known = [&key](const auto& list) {
      return std::find(std::begin(list), std::end(list), key) != std::end(list);
    };
    if (known(kShared) || (lstm && known(kLstm)) || (gru && known(kGru))) continue;
    *error = "unknown option '" + key + "' (this runtime reads the attributes of docs/ops.md, "
             "contract versions 1.." + std::to_string(kContractVersion) + ")";
    return false;
  }
  return true;
}

TfLiteStatus ResizeTensor(TfLiteContext* context, TfLiteTensor* tensor,
                          const std::vector<int>& dims) {
  auto* array = static_cast<abi::TfLiteIntArray*>(
      std::malloc(sizeof(abi::TfLiteIntArray) + sizeof(int) * dims.size()));
  if (array == nullptr) return abi::kTfLiteError;
  array->size = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) array->data[i] = dims[i];
  return context->ResizeTensor(context, tensor, array);
}

bool IsConstantTensor(const TfLiteTensor& tensor) {
  return tensor.allocation_type == abi::kTfLiteMmapRo ||
         tensor.allocation_type == abi::kTfLitePersistentRo;
}

}  // namespace tflite_rnn_ops
