// Our declarations of the LiteRT 2.x C API pieces the CompiledModel route uses (upstream
// litert/c/litert_custom_op_kernel.h, litert_layout.h, litert_model_types.h, litert_options.h,
// litert_tensor_buffer.h). libLiteRt.so (ai_edge_litert wheel) defines the functions; the wheel
// ships no headers.
#ifndef TFLITE_RNN_OPS_TFLITE_LITERT_C_API_DECLS_H_
#define TFLITE_RNN_OPS_TFLITE_LITERT_C_API_DECLS_H_

#include <cstddef>
#include <cstdint>

extern "C" {

typedef struct LiteRtOptionsT* LiteRtOptions;
typedef struct LiteRtTensorBufferT* LiteRtTensorBuffer;
typedef int LiteRtStatus;  // enum; kLiteRtStatusOk = 0
constexpr LiteRtStatus kLiteRtStatusOk = 0;
constexpr LiteRtStatus kLiteRtStatusErrorInvalidArgument = 1;
constexpr int kLiteRtTensorBufferLockModeRead = 0;
constexpr int kLiteRtTensorBufferLockModeWrite = 1;
constexpr int kLiteRtTensorMaxRank = 8;

struct LiteRtLayout {
  unsigned int rank : 7;
  unsigned int has_strides : 1;
  int32_t dimensions[kLiteRtTensorMaxRank];
  uint32_t strides[kLiteRtTensorMaxRank];
};

// element_type uses TfLiteType's numbering (kLiteRtElementTypeFloat32 = 1, Bool = 6, Int32 = 2).
struct LiteRtRankedTensorType {
  int element_type;
  LiteRtLayout layout;
};

struct LiteRtCustomOpKernel {
  LiteRtStatus (*Init)(void* user_data, const void* init_data, size_t init_data_size);
  LiteRtStatus (*GetOutputLayouts)(void* user_data, size_t num_inputs,
                                   const LiteRtLayout* input_layouts, size_t num_outputs,
                                   LiteRtLayout* output_layouts);
  LiteRtStatus (*Run)(void* user_data, size_t num_inputs, const LiteRtTensorBuffer* inputs,
                      size_t num_outputs, LiteRtTensorBuffer* outputs);
  LiteRtStatus (*Destroy)(void* user_data);
};

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
static_assert(sizeof(LiteRtLayout) == 68, "LiteRtLayout (upstream static_assert)");
static_assert(sizeof(LiteRtRankedTensorType) == 72, "LiteRtRankedTensorType layout");
#endif

LiteRtStatus LiteRtAddCustomOpKernelOption(LiteRtOptions options, const char* custom_op_name,
                                           int custom_op_version,
                                           const LiteRtCustomOpKernel* custom_op_kernel,
                                           void* custom_op_kernel_user_data);
LiteRtStatus LiteRtGetTensorBufferTensorType(LiteRtTensorBuffer buffer,
                                             LiteRtRankedTensorType* tensor_type);
LiteRtStatus LiteRtGetTensorBufferSize(LiteRtTensorBuffer buffer, size_t* size);
LiteRtStatus LiteRtLockTensorBuffer(LiteRtTensorBuffer buffer, void** host_mem_addr,
                                    int lock_mode);
LiteRtStatus LiteRtUnlockTensorBuffer(LiteRtTensorBuffer buffer);

}  // extern "C"

#endif  // TFLITE_RNN_OPS_TFLITE_LITERT_C_API_DECLS_H_
