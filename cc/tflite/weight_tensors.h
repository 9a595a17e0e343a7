// The weight-matrix tensors of our ops (kernel, recurrent_kernel, LSTM projection) in the three
// storage types of contract version 3 (docs/ops.md): their type, the checks on an int8 tensor's
// scales (TFLite affine quantization, or from version 4 a float16 / float32 scales input), and
// those scales expanded to one per output column for the kernels.
#ifndef TFLITE_RNN_OPS_TFLITE_WEIGHT_TENSORS_H_
#define TFLITE_RNN_OPS_TFLITE_WEIGHT_TENSORS_H_

#include <string>
#include <vector>

#include "cc/kernels/weights.h"
#include "cc/tflite/op_common.h"

namespace tflite_rnn_ops {

// The kernels' int32 accumulation of int8 x int8 products is exact up to this many rows.
inline constexpr int kMaxInt8Rows = 131072;
// Contract version that introduced float16 and int8 weight matrices.
inline constexpr int kQuantizedWeightsVersion = 3;

// FLOAT32 / FLOAT16 / INT8 -> the kernels' storage type; false for any other tensor type.
bool WeightTypeOfTensor(int tensor_type, WeightType* out);
const char* WeightTypeName(WeightType type);

// Checks the int8 matrix `tensor` of shape [rows, columns] (its shape is checked already): TFLite
// affine quantization with `columns` scales (quantized_dimension 1) or one (per tensor), every
// scale finite and > 0, every zero_point 0, rows <= kMaxInt8Rows. On success fills
// `column_scales` with one scale per column; otherwise reports naming `op` and `name`.
bool Int8ColumnScales(TfLiteContext* context, const char* op, const std::string& name,
                      const TfLiteTensor& tensor, int rows, int columns,
                      std::vector<float>* column_scales);

// Option column_scales (v4): the scales of the int8 matrix `tensor` [rows, columns] come from
// `scales` (input `scales_name`), a float16 or float32 [columns] tensor, every value finite and
// > 0; `tensor` itself carries no affine quantization; rows <= kMaxInt8Rows. On
// success fills `column_scales`; otherwise reports naming `op` and the tensor.
bool Int8InputScales(TfLiteContext* context, const char* op, const std::string& name,
                     const TfLiteTensor& tensor, const std::string& scales_name,
                     const TfLiteTensor& scales, int rows, int columns,
                     std::vector<float>* column_scales);

// Re-reads scales Int8InputScales accepted (same tensor type and size) into `column_scales`,
// for weights that other ops compute at run time; false if a value is not finite and > 0.
// Allocates nothing and reports nothing: call Int8InputScales for the message.
bool ReadInputScales(const TfLiteTensor& scales, std::vector<float>* column_scales);

// The matrix as the kernels receive it; `column_scales` is used for int8 only.
WeightMatrix MatrixOf(const TfLiteTensor& tensor, WeightType type,
                      const std::vector<float>& column_scales);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_WEIGHT_TENSORS_H_
