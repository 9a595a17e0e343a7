#include "cc/tflite/weight_tensors.h"

#include <cmath>

#include "cc/kernels/weight_conversion.h"

namespace tflite_rnn_ops {
namespace {

std::string Where(const std::string& name) { return "input '" + name + "' (int8)"; }

const abi::TfLiteAffineQuantization* AffineOf(const TfLiteTensor& tensor) {
  if (tensor.quantization.type != abi::kTfLiteAffineQuantization) return nullptr;
  return static_cast<const abi::TfLiteAffineQuantization*>(tensor.quantization.params);
}

bool CheckZeroPoints(TfLiteContext* context, const char* op, const std::string& name,
                     const abi::TfLiteIntArray* zero_point) {
  if (zero_point == nullptr) return true;  // absent = all zero
  for (int i = 0; i < zero_point->size; ++i) {
    if (zero_point->data[i] != 0) {
      ReportOpError(context, op, Where(name) + " expected symmetric quantization (every "
                                 "zero_point 0), got zero_point[" + std::to_string(i) + "] = " +
                                 std::to_string(zero_point->data[i]));
      return false;
    }
  }
  return true;
}

bool CheckRows(TfLiteContext* context, const char* op, const std::string& name, int rows) {
  if (rows <= kMaxInt8Rows) return true;
  ReportOpError(context, op, Where(name) + " expected at most " + std::to_string(kMaxInt8Rows) +
                             " rows (int32 accumulation stays exact), got " +
                             std::to_string(rows) + "; store this op's weights as float32 or "
                             "float16");
  return false;
}

bool CheckScale(TfLiteContext* context, const char* op, const std::string& where, int index,
                float s) {
  if (std::isfinite(s) && s > 0.0f) return true;
  ReportOpError(context, op, where + " expected every scale finite and > 0, got scale[" +
                             std::to_string(index) + "] = " + std::to_string(s));
  return false;
}

}  // namespace

bool WeightTypeOfTensor(int tensor_type, WeightType* out) {
  switch (tensor_type) {
    case abi::kTfLiteFloat32: *out = WeightType::kFloat32; return true;
    case abi::kTfLiteFloat16: *out = WeightType::kFloat16; return true;
    case abi::kTfLiteInt8: *out = WeightType::kInt8; return true;
    default: return false;
  }
}

const char* WeightTypeName(WeightType type) {
  switch (type) {
    case WeightType::kFloat16: return "float16";
    case WeightType::kInt8: return "int8";
    default: return "float32";
  }
}

bool Int8ColumnScales(TfLiteContext* context, const char* op, const std::string& name,
                      const TfLiteTensor& tensor, int rows, int columns,
                      std::vector<float>* column_scales) {
  if (!CheckRows(context, op, name, rows)) return false;
  const abi::TfLiteAffineQuantization* q = AffineOf(tensor);
  if (q == nullptr || q->scale == nullptr || q->scale->size == 0) {
    ReportOpError(context, op, Where(name) + " expected TFLite affine quantization with " +
                               std::to_string(columns) + " per-column scales (or 1), got none "
                               "(a runtime that does not pass quantization parameters to custom "
                               "ops cannot run int8 weights: use the delegate, tro.load_delegate())");
    return false;
  }
  const int n = q->scale->size;
  if (n != columns && n != 1) {
    ReportOpError(context, op, Where(name) + " expected " + std::to_string(columns) +
                               " scales (one per output column) or 1 (per tensor), got " +
                               std::to_string(n));
    return false;
  }
  if (n > 1 && q->quantized_dimension != 1) {
    ReportOpError(context, op, Where(name) + " expected per-column scales along "
                               "quantized_dimension 1 (the output columns), got quantized_dimension " +
                               std::to_string(q->quantized_dimension));
    return false;
  }
  if (!CheckZeroPoints(context, op, name, q->zero_point)) return false;
  column_scales->resize(columns);
  for (int c = 0; c < columns; ++c) {
    const float s = q->scale->data[n == 1 ? 0 : c];
    if (!CheckScale(context, op, Where(name), n == 1 ? 0 : c, s)) return false;
    (*column_scales)[c] = s;
  }
  return true;
}

bool Int8InputScales(TfLiteContext* context, const char* op, const std::string& name,
                     const TfLiteTensor& tensor, const std::string& scales_name,
                     const TfLiteTensor& scales, int rows, int columns,
                     std::vector<float>* column_scales) {
  if (!CheckRows(context, op, name, rows)) return false;
  const abi::TfLiteAffineQuantization* q = AffineOf(tensor);
  if (q != nullptr && q->scale != nullptr && q->scale->size > 0) {
    ReportOpError(context, op, Where(name) + " expected no affine quantization: with option "
                               "'column_scales' its scales are input '" + scales_name + "'");
    return false;
  }
  const std::string where = "input '" + scales_name + "'";
  if (scales.type != abi::kTfLiteFloat16 && scales.type != abi::kTfLiteFloat32) {
    ReportOpError(context, op, where + " expected float16 or float32 scales of input '" + name +
                               "', got " + TypeName(scales.type));
    return false;
  }
  if (!CheckTensor(context, op, scales_name.c_str(), scales, scales.type, {columns},
                   "[G*U]")) {
    return false;
  }
  if (scales.data == nullptr) {
    ReportOpError(context, op, where + " has no data (the scales of input '" + name + "')");
    return false;
  }
  column_scales->resize(columns);
  if (ReadInputScales(scales, column_scales)) return true;
  for (int c = 0; c < columns; ++c) {
    if (!CheckScale(context, op, where, c, (*column_scales)[c])) return false;
  }
  return false;
}

bool ReadInputScales(const TfLiteTensor& scales, std::vector<float>* column_scales) {
  bool valid = true;
  for (size_t c = 0; c < column_scales->size(); ++c) {
    const float s = scales.type == abi::kTfLiteFloat16
                        ? HalfToFloat(static_cast<const uint16_t*>(scales.data)[c])
                        : static_cast<const float*>(scales.data)[c];
    valid = valid && std::isfinite(s) && s > 0.0f;
    (*column_scales)[c] = s;
  }
  return valid;
}

WeightMatrix MatrixOf(const TfLiteTensor& tensor, WeightType type,
                      const std::vector<float>& column_scales) {
  switch (type) {
    case WeightType::kFloat16: return WeightMatrix::Float16(static_cast<const uint16_t*>(tensor.data));
    case WeightType::kInt8:
      return WeightMatrix::Int8(static_cast<const int8_t*>(tensor.data), column_scales.data());
    default: return WeightMatrix(static_cast<const float*>(tensor.data));
  }
}

}  // namespace tflite_rnn_ops
