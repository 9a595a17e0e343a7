#include "cc/tflite/mirror_node.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tflite_rnn_ops {

namespace {
constexpr size_t kDimsStride = 1 + MirrorNode::kMaxRank;
}  // namespace

MirrorNode::MirrorNode(const abi::TfLiteRegistration* registration, const void* options,
                       size_t size)
    : registration_(registration) {
  const char* bytes = static_cast<const char*>(options);
  options_.assign(bytes, bytes + (bytes != nullptr ? size : 0));
  context_.impl_ = this;
  context_.ResizeTensor = ResizeTensorThunk;
  context_.ReportError = ReportErrorThunk;
  context_.recommended_num_threads = 1;
  node_.custom_initial_data = options_.data();
  node_.custom_initial_data_size = static_cast<int>(options_.size());
  user_data_ = registration_->init(&context_, options_.data(), options_.size());
  node_.user_data = user_data_;
}

MirrorNode::~MirrorNode() { registration_->free(&context_, user_data_); }

abi::TfLiteIntArray* MirrorNode::Array(std::vector<int>& storage, size_t slot, size_t stride) {
  return reinterpret_cast<abi::TfLiteIntArray*>(storage.data() + slot * stride);
}

void MirrorNode::Resize(int num_inputs, int num_outputs) {
  const size_t total = static_cast<size_t>(num_inputs) + num_outputs;
  if (num_inputs == num_inputs_ && total == tensors_.size()) return;
  num_inputs_ = num_inputs;
  tensors_.assign(total, abi::TfLiteTensor{});
  dims_.assign(total * kDimsStride, 0);
  // {size, data...} for the inputs, then for the outputs.
  indices_.assign(total + 2, 0);
  indices_[0] = num_inputs;
  indices_[1 + num_inputs] = num_outputs;
  for (size_t i = 0; i < total; ++i) {
    indices_[i < static_cast<size_t>(num_inputs) ? 1 + i : 2 + i] = static_cast<int>(i);
    tensors_[i].dims = Array(dims_, i, kDimsStride);
  }
  node_.inputs = reinterpret_cast<abi::TfLiteIntArray*>(indices_.data());
  node_.outputs = reinterpret_cast<abi::TfLiteIntArray*>(indices_.data() + 1 + num_inputs);
  context_.tensors = tensors_.data();
  context_.tensors_size = total;
}

void MirrorNode::SetDims(int index, const int32_t* dims, int rank) {
  abi::TfLiteIntArray* array = tensors_[index].dims;
  array->size = rank;
  for (int d = 0; d < rank; ++d) array->data[d] = dims[d];
}

bool MirrorNode::SetTensor(int index, abi::TfLiteType type, const int32_t* dims, int rank,
                           void* data, size_t bytes, bool constant) {
  if (rank < 0 || rank > kMaxRank) {
    ReportError("tensor rank above 8 (the most a TFLite/LiteRT layout holds)");
    return false;
  }
  abi::TfLiteTensor& t = tensors_[index];
  t.type = type;
  t.data = data;
  t.bytes = bytes;
  t.allocation_type = constant ? abi::kTfLiteMmapRo : abi::kTfLiteArenaRw;
  SetDims(index, dims, rank);
  return true;
}

abi::TfLiteStatus MirrorNode::Prepare() { return registration_->prepare(&context_, &node_); }
abi::TfLiteStatus MirrorNode::Invoke() { return registration_->invoke(&context_, &node_); }

void MirrorNode::ReportError(const char* message) {
  if (host_ != nullptr) {
    host_->ReportError(message);
  } else {
    std::fprintf(stderr, "%s\n", message);
  }
}

abi::TfLiteStatus MirrorNode::ResizeTensorThunk(abi::TfLiteContext* context,
                                                abi::TfLiteTensor* tensor,
                                                abi::TfLiteIntArray* new_size) {
  auto* self = static_cast<MirrorNode*>(context->impl_);
  const int index = static_cast<int>(tensor - self->tensors_.data());
  abi::TfLiteStatus status = abi::kTfLiteError;
  if (index >= self->num_inputs_ && new_size->size <= kMaxRank && self->host_ != nullptr) {
    status = self->host_->ResizeOutput(index - self->num_inputs_, new_size->data, new_size->size);
    if (status == abi::kTfLiteOk) self->SetDims(index, new_size->data, new_size->size);
  }
  std::free(new_size);  // ResizeTensor owns the array, as in TFLite
  return status;
}

void MirrorNode::ReportErrorThunk(abi::TfLiteContext* context, const char* format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  static_cast<MirrorNode*>(context->impl_)->ReportError(message);
}

}  // namespace tflite_rnn_ops
