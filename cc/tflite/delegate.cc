// External-delegate plugin: the way to run our custom ops in the pip interpreters, whose wheels
// export no op-registration symbols.
//
// The interpreter keeps an unresolved CUSTOM node as a placeholder until a delegate claims it. We
// claim every node whose custom_code is one of ours and run it with our own registration. Adjacent
// claimed nodes arrive as one partition, so a partition kernel runs several original nodes in order.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cc/tflite/c_abi.h"
#include "cc/tflite/op_registry.h"

namespace tflite_rnn_ops {
namespace {

using abi::TfLiteContext;
using abi::TfLiteDelegate;
using abi::TfLiteIntArray;
using abi::TfLiteNode;
using abi::TfLiteRegistration;
using abi::TfLiteStatus;

constexpr char kDelegateName[] = "TFLiteRnnOpsDelegate";

TfLiteIntArray* NewIntArray(const int* values, int size) {
  auto* a = static_cast<TfLiteIntArray*>(std::malloc(sizeof(TfLiteIntArray) + sizeof(int) * size));
  a->size = size;
  if (size > 0) std::memcpy(a->data, values, sizeof(int) * size);
  return a;
}

bool Contains(const TfLiteIntArray* a, int value) {
  for (int i = 0; i < a->size; ++i) {
    if (a->data[i] == value) return true;
  }
  return false;
}

// One original node of ours, detached from the interpreter's node list (which may reallocate).
struct OwnedNode {
  const TfLiteRegistration* registration = nullptr;
  int index = -1;  // in the interpreter's graph: what an error names
  TfLiteNode node{};
  std::vector<char> options;
};

struct Partition {
  std::vector<OwnedNode> nodes;
  // Tensors produced and consumed inside the partition: the memory planner does not see them.
  std::vector<int> internal_tensors;
};

void* PartitionInit(TfLiteContext* context, const char* buffer, size_t) {
  const auto* params = reinterpret_cast<const abi::TfLiteDelegateParams*>(buffer);
  auto* partition = new Partition;
  partition->nodes.resize(params->nodes_to_replace->size);
  for (int i = 0; i < params->nodes_to_replace->size; ++i) {
    TfLiteNode* original = nullptr;
    TfLiteRegistration* placeholder = nullptr;
    context->GetNodeAndRegistration(context, params->nodes_to_replace->data[i], &original,
                                    &placeholder);
    OwnedNode& owned = partition->nodes[i];
    owned.registration = FindOpRegistration(placeholder->custom_name);
    owned.index = params->nodes_to_replace->data[i];
    owned.node.inputs = NewIntArray(original->inputs->data, original->inputs->size);
    owned.node.outputs = NewIntArray(original->outputs->data, original->outputs->size);
    const char* data = static_cast<const char*>(original->custom_initial_data);
    owned.options.assign(data, data + (data ? original->custom_initial_data_size : 0));
    owned.node.custom_initial_data = owned.options.data();
    owned.node.custom_initial_data_size = static_cast<int>(owned.options.size());
    owned.node.user_data =
        owned.registration->init(context, owned.options.data(), owned.options.size());
    for (int k = 0; k < original->outputs->size; ++k) {
      const int t = original->outputs->data[k];
      if (t >= 0 && !Contains(params->output_tensors, t)) partition->internal_tensors.push_back(t);
    }
  }
  return partition;
}

void PartitionFree(TfLiteContext* context, void* buffer) {
  auto* partition = static_cast<Partition*>(buffer);
  for (OwnedNode& owned : partition->nodes) {
    owned.registration->free(context, owned.node.user_data);
    std::free(owned.node.inputs);
    std::free(owned.node.outputs);
  }
  delete partition;
}

// The interpreter names only the partition's node: name the original one, as it would without
// a delegate.
TfLiteStatus ReportNodeFailure(TfLiteContext* context, const OwnedNode& owned, const char* stage,
                               TfLiteStatus status) {
  context->ReportError(context, "%s: node %d (%s) failed to %s.", kDelegateName, owned.index,
                       owned.registration->custom_name, stage);
  return status;
}

TfLiteStatus PartitionPrepare(TfLiteContext* context, TfLiteNode* node) {
  auto* partition = static_cast<Partition*>(node->user_data);
  // Dynamic tensors get heap memory on ResizeTensor, which is what internal tensors need.
  for (int t : partition->internal_tensors) {
    context->tensors[t].allocation_type = abi::kTfLiteDynamic;
  }
  for (OwnedNode& owned : partition->nodes) {
    const TfLiteStatus status = owned.registration->prepare(context, &owned.node);
    if (status != abi::kTfLiteOk) return ReportNodeFailure(context, owned, "prepare", status);
  }
  return abi::kTfLiteOk;
}

TfLiteStatus PartitionInvoke(TfLiteContext* context, TfLiteNode* node) {
  auto* partition = static_cast<Partition*>(node->user_data);
  for (OwnedNode& owned : partition->nodes) {
    const TfLiteStatus status = owned.registration->invoke(context, &owned.node);
    if (status != abi::kTfLiteOk) return ReportNodeFailure(context, owned, "invoke", status);
  }
  return abi::kTfLiteOk;
}

TfLiteStatus DelegatePrepare(TfLiteContext* context, TfLiteDelegate* delegate) {
  TfLiteIntArray* plan = nullptr;
  if (context->GetExecutionPlan(context, &plan) != abi::kTfLiteOk) return abi::kTfLiteError;
  std::vector<int> ours;
  for (int i = 0; i < plan->size; ++i) {
    TfLiteNode* node = nullptr;
    TfLiteRegistration* registration = nullptr;
    if (context->GetNodeAndRegistration(context, plan->data[i], &node, &registration) !=
        abi::kTfLiteOk) {
      return abi::kTfLiteError;
    }
    if (registration->builtin_code == abi::kTfLiteBuiltinCustom &&
        FindOpRegistration(registration->custom_name) != nullptr) {
      ours.push_back(plan->data[i]);
    }
  }
  if (ours.empty()) return abi::kTfLiteOk;
  TfLiteRegistration kernel{};
  kernel.init = PartitionInit;
  kernel.free = PartitionFree;
  kernel.prepare = PartitionPrepare;
  kernel.invoke = PartitionInvoke;
  kernel.custom_name = kDelegateName;
  kernel.version = 1;
  TfLiteIntArray* nodes = NewIntArray(ours.data(), static_cast<int>(ours.size()));
  const TfLiteStatus status =
      context->ReplaceNodeSubsetsWithDelegateKernels(context, kernel, nodes, delegate);
  std::free(nodes);
  return status;
}

}  // namespace

TfLiteDelegate* CreateDelegate() {
  auto* delegate = new TfLiteDelegate{};
  delegate->Prepare = DelegatePrepare;
  // Without this flag the runtime prepares the original graph first and fails on the placeholder.
  delegate->flags = abi::kTfLiteDelegateFlagsAllowDynamicTensors;
  return delegate;
}

void DestroyDelegate(TfLiteDelegate* delegate) { delete delegate; }

}  // namespace tflite_rnn_ops

extern "C" {

__attribute__((visibility("default"))) tflite_rnn_ops::abi::TfLiteDelegate*
tflite_plugin_create_delegate(const char* const* keys, const char* const* values, size_t n,
                              void (*report_error)(const char*)) {
  // Python's load_delegate passes n as a 32-bit int: the upper half of the register is garbage.
  const uint32_t count = static_cast<uint32_t>(n);
  if (count > 0) {
    const std::string message = std::string("TFLiteRnnOpsDelegate: unknown option '") + keys[0] +
                                "' (= '" + values[0] + "'); this delegate takes no options";
    if (report_error != nullptr) report_error(message.c_str());
    return nullptr;
  }
  return tflite_rnn_ops::CreateDelegate();
}

__attribute__((visibility("default"))) void tflite_plugin_destroy_delegate(
    tflite_rnn_ops::abi::TfLiteDelegate* delegate) {
  tflite_rnn_ops::DestroyDelegate(delegate);
}

}  // extern "C"
