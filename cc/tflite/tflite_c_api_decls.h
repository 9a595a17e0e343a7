// Our declarations of the stable TFLite C API functions the C API route calls (upstream
// tflite/c/c_api.h, c_api_opaque.h, common.h). They are defined by the app's libtensorflowlite_c;
// no wheel here ships it. Enums are 4 bytes, so our abi enums stand in for TfLiteType & co.
#ifndef TFLITE_RNN_OPS_TFLITE_TFLITE_C_API_DECLS_H_
#define TFLITE_RNN_OPS_TFLITE_TFLITE_C_API_DECLS_H_

#include <cstddef>
#include <cstdint>

#include "cc/tflite/c_abi.h"

extern "C" {

typedef struct TfLiteOpaqueContext TfLiteOpaqueContext;
typedef struct TfLiteOpaqueNode TfLiteOpaqueNode;
typedef struct TfLiteOpaqueTensor TfLiteOpaqueTensor;
typedef struct TfLiteOperator TfLiteOperator;
typedef struct TfLiteInterpreterOptions TfLiteInterpreterOptions;

using tflite_rnn_ops::abi::TfLiteAllocationType;
using tflite_rnn_ops::abi::TfLiteIntArray;
using tflite_rnn_ops::abi::TfLiteStatus;
using tflite_rnn_ops::abi::TfLiteType;

TfLiteOperator* TfLiteOperatorCreate(int32_t builtin_code, const char* custom_name, int version,
                                     void* user_data);
TfLiteStatus TfLiteOperatorSetInitWithData(
    TfLiteOperator* op,
    void* (*init)(void* user_data, TfLiteOpaqueContext* context, const char* buffer,
                  size_t length));
TfLiteStatus TfLiteOperatorSetFreeWithData(
    TfLiteOperator* op, void (*free)(void* user_data, TfLiteOpaqueContext* context, void* data));
TfLiteStatus TfLiteOperatorSetPrepareWithData(
    TfLiteOperator* op,
    TfLiteStatus (*prepare)(void* user_data, TfLiteOpaqueContext* context,
                            TfLiteOpaqueNode* node));
TfLiteStatus TfLiteOperatorSetInvokeWithData(
    TfLiteOperator* op,
    TfLiteStatus (*invoke)(void* user_data, TfLiteOpaqueContext* context,
                           TfLiteOpaqueNode* node));
void TfLiteInterpreterOptionsAddOperator(TfLiteInterpreterOptions* options, TfLiteOperator* op);

void* TfLiteOpaqueNodeGetUserData(const TfLiteOpaqueNode* node);
int TfLiteOpaqueNodeNumberOfInputs(const TfLiteOpaqueNode* node);
int TfLiteOpaqueNodeNumberOfOutputs(const TfLiteOpaqueNode* node);
const TfLiteOpaqueTensor* TfLiteOpaqueNodeGetInput(const TfLiteOpaqueContext* context,
                                                   const TfLiteOpaqueNode* node, int index);
TfLiteOpaqueTensor* TfLiteOpaqueNodeGetOutput(TfLiteOpaqueContext* context,
                                              const TfLiteOpaqueNode* node, int index);

TfLiteType TfLiteOpaqueTensorType(const TfLiteOpaqueTensor* tensor);
int32_t TfLiteOpaqueTensorNumDims(const TfLiteOpaqueTensor* tensor);
int32_t TfLiteOpaqueTensorDim(const TfLiteOpaqueTensor* tensor, int32_t dim_index);
size_t TfLiteOpaqueTensorByteSize(const TfLiteOpaqueTensor* tensor);
void* TfLiteOpaqueTensorData(const TfLiteOpaqueTensor* tensor);
TfLiteAllocationType TfLiteOpaqueTensorGetAllocationType(const TfLiteOpaqueTensor* tensor);
// Returned by value; for affine quantization params points at the runtime's
// TfLiteAffineQuantization.
tflite_rnn_ops::abi::TfLiteQuantization TfLiteOpaqueTensorGetQuantization(
    const TfLiteOpaqueTensor* tensor);

TfLiteStatus TfLiteOpaqueContextResizeTensor(TfLiteOpaqueContext* context,
                                             TfLiteOpaqueTensor* tensor, TfLiteIntArray* new_size);
void TfLiteOpaqueContextReportError(TfLiteOpaqueContext* context, const char* format, ...);
TfLiteIntArray* TfLiteIntArrayCreate(int size);

}  // extern "C"

#endif  // TFLITE_RNN_OPS_TFLITE_TFLITE_C_API_DECLS_H_
