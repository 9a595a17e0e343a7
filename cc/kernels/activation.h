// Activation functions shared by every recurrent kernel. Definitions follow Keras 3 exactly
// (keras/src/activations/activations.py with the TensorFlow backend's keras/src/backend/
// tensorflow/nn.py), default arguments where Keras has them:
//   sigmoid(x)      = 1 / (1 + exp(-x))
//   hard_sigmoid(x) = relu6(x + 3) / 6          (Keras 3, not the Keras 2 0.2x + 0.5 form)
//   relu(x)         = max(x, 0)                 relu6(x) = min(max(x, 0), 6)
//   linear(x)       = x
//   elu(x)          = x > 0 ? x : exp(x) - 1    (alpha 1)
//   selu(x)         = x > 0 ? scale*x : scale*alpha*(exp(x) - 1)
//                     (alpha 1.6732632423543772, scale 1.0507009873554805, tf.nn.selu)
//   celu(x)         = max(x, 0) + (exp(min(x, 0)) - 1)   (alpha 1)
//   softplus(x)     = log(1 + exp(x))           log_sigmoid(x) = -softplus(-x)
//   softsign(x)     = x / (1 + |x|)
//   silu(x)         = x * sigmoid(x)            ("swish" is the same function)
//   gelu(x)         = x/2 * (1 + erf(x/sqrt(2)))  (Keras default approximate=False)
//   exponential(x)  = exp(x)
//   hard_silu(x)    = x * hard_sigmoid(x)       ("hard_swish" is the same function)
//   mish(x)         = x * tanh(softplus(x))
//   leaky_relu(x)   = x > 0 ? x : 0.2 * x       (negative_slope 0.2)
//   hard_tanh(x)    = min(max(x, -1), 1)        tanh_shrink(x) = x - tanh(x)
//   soft_shrink(x)  = x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0   (threshold 0.5)
//   hard_shrink(x)  = |x| > 0.5 ? x : 0         (threshold 0.5)
//   sparse_plus(x)  = x <= -1 ? 0 : x < 1 ? (x + 1)^2 / 4 : x
//   squareplus(x)   = (x + sqrt(x^2 + 4)) / 2   (b 4)
//   sparse_sigmoid(x) = x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2
// Not here because they are not elementwise functions of one float: softmax, log_softmax,
// sparsemax, glu; threshold has no default arguments.
#ifndef TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_
#define TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_

#include <string_view>

#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {

// Parses the attribute spelling used in op options and Keras configs ("tanh", "sigmoid", ...;
// the Keras aliases "swish" and "hard_swish" too). Returns false for an unknown name.
bool ActivationFromName(std::string_view name, Activation* out);
// The canonical (Keras function) name: "silu" for swish, "hard_silu" for hard_swish.
const char* ActivationName(Activation activation);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ACTIVATION_H_
