#include "cc/kernels/activation.h"

namespace tflite_rnn_ops {
namespace {

struct NamedActivation {
  const char* name;
  Activation value;
};

// Order matches the enum so ActivationName can index it directly.
constexpr NamedActivation kActivations[] = {
    {"tanh", Activation::kTanh},
    {"sigmoid", Activation::kSigmoid},
    {"relu", Activation::kRelu},
    {"hard_sigmoid", Activation::kHardSigmoid},
    {"linear", Activation::kLinear},
};

}  // namespace

bool ActivationFromName(std::string_view name, Activation* out) {
  for (const NamedActivation& a : kActivations) {
    if (name == a.name) {
      *out = a.value;
      return true;
    }
  }
  return false;
}

const char* ActivationName(Activation activation) {
  const int index = static_cast<int>(activation);
  if (index < 0 || index >= static_cast<int>(sizeof(kActivations) / sizeof(kActivations[0]))) {
    return "unknown";
  }
  return kActivations[index].name;
}

}  // namespace tflite_rnn_ops
