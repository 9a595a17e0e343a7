// Our own declarations of the TFLite C ABI structs that a delegate plugin and a custom op touch.
//
// Neither the tensorflow nor the ai-edge-litert wheel ships TFLite headers, and their interpreter
// extensions export no TfLite symbols, so the plugin is built against these declarations alone.
// Layouts follow the upstream field order (append-only since about TF 2.5); the static_asserts
// pin the offsets we rely on for both word sizes: LP64 (x86-64, aarch64) from the upstream headers,
// ILP32 (armv7) derived from the same field order with 4-byte pointers and size_t (int64 fields
// stay 8-aligned under the ARM EABI).
// Everything lives in a namespace so that an app that also includes the real headers does not clash.
#ifndef TFLITE_RNN_OPS_TFLITE_C_ABI_H_
#define TFLITE_RNN_OPS_TFLITE_C_ABI_H_

#include <cstddef>
#include <cstdint>

namespace tflite_rnn_ops {
namespace abi {

enum TfLiteStatus : int {
  kTfLiteOk = 0,
  kTfLiteError = 1,
  kTfLiteDelegateError = 2,
  kTfLiteApplicationError = 3,
  kTfLiteUnresolvedOps = 7,
};

enum TfLiteType : int {
  kTfLiteNoType = 0,
  kTfLiteFloat32 = 1,
  kTfLiteInt32 = 2,
  kTfLiteUInt8 = 3,
  kTfLiteInt64 = 4,
  kTfLiteString = 5,
  kTfLiteBool = 6,
  kTfLiteInt16 = 7,
  kTfLiteComplex64 = 8,
  kTfLiteInt8 = 9,
  kTfLiteFloat16 = 10,
  kTfLiteFloat64 = 11,
};

enum TfLiteAllocationType : int {
  kTfLiteMemNone = 0,
  kTfLiteMmapRo = 1,
  kTfLiteArenaRw = 2,
  kTfLiteArenaRwPersistent = 3,
  kTfLiteDynamic = 4,
  kTfLitePersistentRo = 5,
};

constexpr int32_t kTfLiteBuiltinCustom = 32;
constexpr int64_t kTfLiteDelegateFlagsAllowDynamicTensors = 1;

struct TfLiteIntArray {
  int size;
  int data[];  // flexible array member (GNU extension in C++; the layout is the C one)
};

struct TfLiteQuantizationParams {
  float scale;
  int32_t zero_point;
};

// TfLiteQuantizationType: kTfLiteNoQuantization = 0, kTfLiteAffineQuantization = 1 (params is
// then a TfLiteAffineQuantization*, owned by the runtime for the tensor's lifetime).
enum TfLiteQuantizationType : int {
  kTfLiteNoQuantization = 0,
  kTfLiteAffineQuantization = 1,
};

struct TfLiteQuantization {
  int type;
  void* params;
};

struct TfLiteFloatArray {
  int size;
  float data[];  // flexible array member, as TfLiteIntArray
};

// Per-channel (or, with one entry, per-tensor) affine quantization: real = scale * (q - zero_point)
// along dimension quantized_dimension.
struct TfLiteAffineQuantization {
  TfLiteFloatArray* scale;
  TfLiteIntArray* zero_point;
  int32_t quantized_dimension;
};

struct TfLiteContext;
struct TfLiteDelegate;

struct TfLiteTensor {
  TfLiteType type;
  void* data;
  TfLiteIntArray* dims;
  TfLiteQuantizationParams params;
  TfLiteAllocationType allocation_type;
  size_t bytes;
  const void* allocation;
  const char* name;
  TfLiteDelegate* delegate;
  int buffer_handle;
  bool data_is_stale;
  bool is_variable;
  TfLiteQuantization quantization;
  void* sparsity;
  const TfLiteIntArray* dims_signature;
};

struct TfLiteNode {
  TfLiteIntArray* inputs;
  TfLiteIntArray* outputs;
  TfLiteIntArray* intermediates;
  TfLiteIntArray* temporaries;
  void* user_data;
  void* builtin_data;
  const void* custom_initial_data;
  int custom_initial_data_size;
  TfLiteDelegate* delegate;
  bool might_have_side_effect;
};

struct TfLiteRegistration {
  void* (*init)(TfLiteContext* context, const char* buffer, size_t length);
  void (*free)(TfLiteContext* context, void* buffer);
  TfLiteStatus (*prepare)(TfLiteContext* context, TfLiteNode* node);
  TfLiteStatus (*invoke)(TfLiteContext* context, TfLiteNode* node);
  const char* (*profiling_string)(const TfLiteContext* context, const TfLiteNode* node);
  int32_t builtin_code;
  const char* custom_name;
  int version;
  void* registration_external;
  void* async_kernel;
  uint64_t inplace_operator;
};

struct TfLiteContext {
  size_t tensors_size;
  TfLiteStatus (*GetExecutionPlan)(TfLiteContext* context, TfLiteIntArray** execution_plan);
  TfLiteTensor* tensors;
  void* impl_;
  // Takes ownership of new_size (a malloc'ed TfLiteIntArray).
  TfLiteStatus (*ResizeTensor)(TfLiteContext* context, TfLiteTensor* tensor,
                               TfLiteIntArray* new_size);
  void (*ReportError)(TfLiteContext* context, const char* format, ...);
  TfLiteStatus (*AddTensors)(TfLiteContext* context, int tensors_to_add, int* first_new_index);
  TfLiteStatus (*GetNodeAndRegistration)(TfLiteContext* context, int node_index,
                                         TfLiteNode** node, TfLiteRegistration** registration);
  // The registration is passed by value.
  TfLiteStatus (*ReplaceNodeSubsetsWithDelegateKernels)(TfLiteContext* context,
                                                        TfLiteRegistration registration,
                                                        const TfLiteIntArray* nodes_to_replace,
                                                        TfLiteDelegate* delegate);
  int recommended_num_threads;
  void* GetExternalContext;
  void* SetExternalContext;
  bool allow_fp32_relax_to_fp16;
  void* profiler;
  void* AllocatePersistentBuffer;
  void* AllocateBufferForEval;
  void* RequestScratchBufferInArena;
  void* GetScratchBuffer;
  void* ResizeTensorExplicit;
  void* PreviewDelegatePartitioning;
  void* GetTensor;  // NULL in full TFLite: index `tensors` instead.
  void* GetEvalTensor;
  void* GetModelMetadata;
  void* AcquireSubgraphContext;
  void* ReleaseSubgraphContext;
};

struct TfLiteDelegate {
  void* data_;
  TfLiteStatus (*Prepare)(TfLiteContext* context, TfLiteDelegate* delegate);
  void* CopyFromBufferHandle;
  void* CopyToBufferHandle;
  void* FreeBufferHandle;
  int64_t flags;
  void* opaque_delegate_builder;  // must stay NULL
};

struct TfLiteDelegateParams {
  TfLiteDelegate* delegate;
  TfLiteIntArray* nodes_to_replace;
  TfLiteIntArray* input_tensors;
  TfLiteIntArray* output_tensors;
};

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
static_assert(sizeof(TfLiteTensor) == 112, "TfLiteTensor layout");
static_assert(offsetof(TfLiteTensor, data) == 8, "TfLiteTensor::data");
static_assert(offsetof(TfLiteTensor, dims) == 16, "TfLiteTensor::dims");
static_assert(offsetof(TfLiteTensor, allocation_type) == 32, "TfLiteTensor::allocation_type");
static_assert(offsetof(TfLiteTensor, bytes) == 40, "TfLiteTensor::bytes");
static_assert(offsetof(TfLiteTensor, name) == 56, "TfLiteTensor::name");
static_assert(offsetof(TfLiteTensor, is_variable) == 77, "TfLiteTensor::is_variable");
static_assert(offsetof(TfLiteTensor, quantization) == 80, "TfLiteTensor::quantization");
static_assert(offsetof(TfLiteTensor, dims_signature) == 104, "TfLiteTensor::dims_signature");
static_assert(sizeof(TfLiteNode) == 80, "TfLiteNode layout");
static_assert(offsetof(TfLiteNode, user_data) == 32, "TfLiteNode::user_data");
static_assert(offsetof(TfLiteNode, custom_initial_data) == 48, "TfLiteNode::custom_initial_data");
static_assert(offsetof(TfLiteNode, delegate) == 64, "TfLiteNode::delegate");
static_assert(sizeof(TfLiteRegistration) == 88, "TfLiteRegistration layout");
static_assert(offsetof(TfLiteRegistration, builtin_code) == 40, "TfLiteRegistration::builtin_code");
static_assert(offsetof(TfLiteRegistration, custom_name) == 48, "TfLiteRegistration::custom_name");
static_assert(offsetof(TfLiteRegistration, version) == 56, "TfLiteRegistration::version");
static_assert(offsetof(TfLiteRegistration, inplace_operator) == 80, "TfLiteRegistration::inplace");
static_assert(sizeof(TfLiteContext) == 200, "TfLiteContext layout");
static_assert(offsetof(TfLiteContext, ResizeTensor) == 32, "TfLiteContext::ResizeTensor");
static_assert(offsetof(TfLiteContext, ReportError) == 40, "TfLiteContext::ReportError");
static_assert(offsetof(TfLiteContext, GetNodeAndRegistration) == 56, "TfLiteContext::GetNode");
static_assert(offsetof(TfLiteContext, ReplaceNodeSubsetsWithDelegateKernels) == 64,
              "TfLiteContext::ReplaceNodeSubsetsWithDelegateKernels");
static_assert(offsetof(TfLiteContext, recommended_num_threads) == 72, "TfLiteContext::threads");
static_assert(offsetof(TfLiteContext, allow_fp32_relax_to_fp16) == 96, "TfLiteContext::fp16");
static_assert(offsetof(TfLiteContext, GetTensor) == 160, "TfLiteContext::GetTensor");
static_assert(offsetof(TfLiteContext, ReleaseSubgraphContext) == 192, "TfLiteContext::end");
static_assert(sizeof(TfLiteDelegate) == 56, "TfLiteDelegate layout");
static_assert(offsetof(TfLiteDelegate, flags) == 40, "TfLiteDelegate::flags");
static_assert(sizeof(TfLiteDelegateParams) == 32, "TfLiteDelegateParams layout");
static_assert(sizeof(TfLiteAffineQuantization) == 24, "TfLiteAffineQuantization layout");
static_assert(offsetof(TfLiteAffineQuantization, zero_point) == 8, "TfLiteAffineQuantization::zp");
static_assert(offsetof(TfLiteAffineQuantization, quantized_dimension) == 16,
              "TfLiteAffineQuantization::quantized_dimension");
#elif UINTPTR_MAX == 0xFFFFFFFFu
static_assert(sizeof(TfLiteTensor) == 64, "TfLiteTensor layout (ILP32)");
static_assert(offsetof(TfLiteTensor, data) == 4, "TfLiteTensor::data");
static_assert(offsetof(TfLiteTensor, dims) == 8, "TfLiteTensor::dims");
static_assert(offsetof(TfLiteTensor, params) == 12, "TfLiteTensor::params");
static_assert(offsetof(TfLiteTensor, allocation_type) == 20, "TfLiteTensor::allocation_type");
static_assert(offsetof(TfLiteTensor, bytes) == 24, "TfLiteTensor::bytes");
static_assert(offsetof(TfLiteTensor, name) == 32, "TfLiteTensor::name");
static_assert(offsetof(TfLiteTensor, buffer_handle) == 40, "TfLiteTensor::buffer_handle");
static_assert(offsetof(TfLiteTensor, is_variable) == 45, "TfLiteTensor::is_variable");
static_assert(offsetof(TfLiteTensor, quantization) == 48, "TfLiteTensor::quantization");
static_assert(offsetof(TfLiteTensor, dims_signature) == 60, "TfLiteTensor::dims_signature");
static_assert(sizeof(TfLiteNode) == 40, "TfLiteNode layout (ILP32)");
static_assert(offsetof(TfLiteNode, user_data) == 16, "TfLiteNode::user_data");
static_assert(offsetof(TfLiteNode, custom_initial_data) == 24, "TfLiteNode::custom_initial_data");
static_assert(offsetof(TfLiteNode, custom_initial_data_size) == 28, "TfLiteNode::custom_size");
static_assert(offsetof(TfLiteNode, delegate) == 32, "TfLiteNode::delegate");
static_assert(sizeof(TfLiteRegistration) == 48, "TfLiteRegistration layout (ILP32)");
static_assert(offsetof(TfLiteRegistration, builtin_code) == 20, "TfLiteRegistration::builtin_code");
static_assert(offsetof(TfLiteRegistration, custom_name) == 24, "TfLiteRegistration::custom_name");
static_assert(offsetof(TfLiteRegistration, version) == 28, "TfLiteRegistration::version");
static_assert(offsetof(TfLiteRegistration, inplace_operator) == 40, "TfLiteRegistration::inplace");
static_assert(sizeof(TfLiteContext) == 100, "TfLiteContext layout (ILP32)");
static_assert(offsetof(TfLiteContext, tensors) == 8, "TfLiteContext::tensors");
static_assert(offsetof(TfLiteContext, ResizeTensor) == 16, "TfLiteContext::ResizeTensor");
static_assert(offsetof(TfLiteContext, ReportError) == 20, "TfLiteContext::ReportError");
static_assert(offsetof(TfLiteContext, GetNodeAndRegistration) == 28, "TfLiteContext::GetNode");
static_assert(offsetof(TfLiteContext, ReplaceNodeSubsetsWithDelegateKernels) == 32,
              "TfLiteContext::ReplaceNodeSubsetsWithDelegateKernels");
static_assert(offsetof(TfLiteContext, recommended_num_threads) == 36, "TfLiteContext::threads");
static_assert(offsetof(TfLiteContext, allow_fp32_relax_to_fp16) == 48, "TfLiteContext::fp16");
static_assert(offsetof(TfLiteContext, GetTensor) == 80, "TfLiteContext::GetTensor");
static_assert(offsetof(TfLiteContext, ReleaseSubgraphContext) == 96, "TfLiteContext::end");
// int64 flags: 8-aligned on the ARM EABI, 4-aligned on i386.
static_assert(offsetof(TfLiteDelegate, flags) == (alignof(int64_t) == 8 ? 24 : 20),
              "TfLiteDelegate::flags");
static_assert(sizeof(TfLiteDelegate) == (alignof(int64_t) == 8 ? 40 : 32),
              "TfLiteDelegate layout (ILP32)");
static_assert(sizeof(TfLiteDelegateParams) == 16, "TfLiteDelegateParams layout (ILP32)");
static_assert(sizeof(TfLiteAffineQuantization) == 12, "TfLiteAffineQuantization layout (ILP32)");
static_assert(offsetof(TfLiteAffineQuantization, quantized_dimension) == 8,
              "TfLiteAffineQuantization::quantized_dimension");
#else
#error "tflite_rnn_ops: c_abi.h knows the TFLite layouts for 32- and 64-bit pointers only"
#endif

}  // namespace abi
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_C_ABI_H_
