// Activation functions shared by every recurrent kernel. Definitions follow Keras 3 exactly:
//   sigmoid(x)      = 1 / (1 + exp(-x))
//   hard_sigmoid(x) = relu6(x + 3) / 6          (Keras 3, not the Keras 2 0.2x + 0.5 form)
//   relu(x)         = max(x, 0)
//   linear(x)       = x
#ifndef TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_
#define TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_

#include <string_view>

namespace tflite_rnn_ops {

enum class Activation : int { kTanh = 0, kSigmoid, kRelu, kHardSigmoid, kLinear };

// Parses the attribute spelling used in op options and Keras configs ("tanh", "sigmoid", ...).
// Returns false for an unknown name.
bool ActivationFromName(std::string_view name, Activation* out);
const char* ActivationName(Activation activation);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_
