// One of our nodes run on tensors that a runtime shows only through accessor functions (TFLite's
// stable C API with opaque contexts, LiteRT's tensor buffers).
//
// The op glue reads `context->tensors[...]` through our ABI structs, so the node gets a private
// TfLiteContext whose tensors mirror the runtime's: inputs first, then outputs. The host sizes the
// mirror in Prepare (Resize allocates only when the arity changes), fills it with SetTensor, and
// refreshes it before each Invoke without allocating. The glue's ResizeTensor and ReportError go
// back to the host, which forwards them to the runtime.
#ifndef TFLITE_RNN_OPS_TFLITE_MIRROR_NODE_H_
#define TFLITE_RNN_OPS_TFLITE_MIRROR_NODE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cc/tflite/c_abi.h"

namespace tflite_rnn_ops {

class MirrorNode {
 public:
  static constexpr int kMaxRank = 8;

  class Host {
   public:
    // The glue resized output `output` (0-based among the outputs) to `dims`.
    virtual abi::TfLiteStatus ResizeOutput(int output, const int* dims, int rank) = 0;
    virtual void ReportError(const char* message) = 0;

   protected:
    ~Host() = default;
  };

  // Runs the registration's init on `options` (the node's custom options).
  MirrorNode(const abi::TfLiteRegistration* registration, const void* options, size_t size);
  ~MirrorNode();
  MirrorNode(const MirrorNode&) = delete;
  MirrorNode& operator=(const MirrorNode&) = delete;

  void set_host(Host* host) { host_ = host; }
  void Resize(int num_inputs, int num_outputs);
  int num_inputs() const { return num_inputs_; }
  int num_outputs() const { return static_cast<int>(tensors_.size()) - num_inputs_; }

  // Tensor `index` counts inputs first, then outputs. Reports and returns false above kMaxRank.
  bool SetTensor(int index, abi::TfLiteType type, const int32_t* dims, int rank, void* data,
                 size_t bytes, bool constant);
  // The tensor's quantization as the runtime holds it (its params stay the runtime's).
  void SetQuantization(int index, const abi::TfLiteQuantization& quantization) {
    tensors_[index].quantization = quantization;
  }
  const abi::TfLiteTensor& tensor(int index) const { return tensors_[index]; }

  abi::TfLiteStatus Prepare();
  abi::TfLiteStatus Invoke();
  void ReportError(const char* message);

 private:
  static abi::TfLiteStatus ResizeTensorThunk(abi::TfLiteContext* context,
                                             abi::TfLiteTensor* tensor,
                                             abi::TfLiteIntArray* new_size);
  static void ReportErrorThunk(abi::TfLiteContext* context, const char* format, ...);
  abi::TfLiteIntArray* Array(std::vector<int>& storage, size_t slot, size_t stride);
  void SetDims(int index, const int32_t* dims, int rank);

  const abi::TfLiteRegistration* registration_;
  std::vector<char> options_;
  void* user_data_ = nullptr;
  Host* host_ = nullptr;
  abi::TfLiteContext context_{};
  abi::TfLiteNode node_{};
  int num_inputs_ = 0;
  std::vector<abi::TfLiteTensor> tensors_;
  std::vector<int> dims_;     // per tensor: TfLiteIntArray {size, data[kMaxRank]}
  std::vector<int> indices_;  // node inputs array, then node outputs array
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_MIRROR_NODE_H_
