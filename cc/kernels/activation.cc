#include "cc/kernels/activation.h"

namespace tflite_rnn_ops {
namespace {

struct NamedActivation {
  const char* name;
  Activation value;
};

// The first entries follow the enum so ActivationName can index them; aliases come after.
constexpr NamedActivation kActivations[] = {
    {"tanh", Activation::kTanh},
    {"sigmoid", Activation::kSigmoid},
    {"relu", Activation::kRelu},
    {"hard_sigmoid", Activation::kHardSigmoid},
    {"linear", Activation::kLinear},
    {"relu6", Activation::kRelu6},
    {"elu", Activation::kElu},
    {"selu", Activation::kSelu},
    {"softplus", Activation::kSoftplus},
    {"softsign", Activation::kSoftsign},
    {"silu", Activation::kSilu},
    {"gelu", Activation::kGelu},
    {"exponential", Activation::kExponential},
    {"hard_silu", Activation::kHardSilu},
    {"mish", Activation::kMish},
    {"log_sigmoid", Activation::kLogSigmoid},
    {"leaky_relu", Activation::kLeakyRelu},
    {"hard_tanh", Activation::kHardTanh},
    {"tanh_shrink", Activation::kTanhShrink},
    {"soft_shrink", Activation::kSoftShrink},
    {"hard_shrink", Activation::kHardShrink},
    {"sparse_plus", Activation::kSparsePlus},
    {"squareplus", Activation::kSquareplus},
    {"celu", Activation::kCelu},
    {"sparse_sigmoid", Activation::kSparseSigmoid},
    // Aliases (Keras's ALL_OBJECTS_DICT).
    {"swish", Activation::kSilu},
    {"hard_swish", Activation::kHardSilu},
};

constexpr int kNumActivations = static_cast<int>(Activation::kSparseSigmoid) + 1;

constexpr bool TableMatchesEnum() {
  for (int i = 0; i < kNumActivations; ++i) {
    if (static_cast<int>(kActivations[i].value) != i) return false;
  }
  return true;
}
static_assert(TableMatchesEnum(), "kActivations must list the enum in order before aliases");

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
  if (index < 0 || index >= kNumActivations) return "unknown";
  return kActivations[index].name;
}

}  // namespace tflite_rnn_ops
