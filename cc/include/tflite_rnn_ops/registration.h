// Classic TFLite C++ registration: our ops for tflite::MutableOpResolver::AddCustom.
//
// This header needs no TFLite headers: RegisterAll is a template, so it compiles in your build
// against the TFLite headers you link (the pip wheels ship none). Our registrations are laid out
// like TfLiteRegistration (TF >= 2.5 field order, cc/tflite/c_abi.h).
//
//   #include "tensorflow/lite/kernels/register.h"
//   #include "tflite_rnn_ops/registration.h"
//   tflite::ops::builtin::BuiltinOpResolver resolver;
//   tflite_rnn_ops::RegisterAll(resolver);  // then tflite::InterpreterBuilder(*model, resolver)
#ifndef TFLITE_RNN_OPS_REGISTRATION_H_
#define TFLITE_RNN_OPS_REGISTRATION_H_

#include "tflite_rnn_ops/export.h"
#include "tflite_rnn_ops/ops.h"

struct TfLiteRegistration;  // defined by TFLite's common.h in the app's build

namespace tflite_rnn_ops {

// The version every op of ours is registered with (the model's custom op version).
inline constexpr int kOpVersion = 1;

TFLITE_RNN_OPS_API const TfLiteRegistration* Register_LSTM();
TFLITE_RNN_OPS_API const TfLiteRegistration* Register_GRU();
TFLITE_RNN_OPS_API const TfLiteRegistration* Register_RNN();

// Adds TFLiteRnnOps>LSTM, >GRU and >RNN to a tflite::MutableOpResolver (or anything with its
// AddCustom(const char*, const TfLiteRegistration*, int)).
template <class Resolver>
void RegisterAll(Resolver& resolver) {
  resolver.AddCustom(kLstmOpName, Register_LSTM(), kOpVersion);
  resolver.AddCustom(kGruOpName, Register_GRU(), kOpVersion);
  resolver.AddCustom(kRnnOpName, Register_RNN(), kOpVersion);
}

}  // namespace tflite_rnn_ops

extern "C" {

// For bindings that hold AddCustom as a plain function (the Itanium C++ ABI passes `this` first):
// calls add_custom(resolver, name, registration, kOpVersion) for each of our ops.
typedef void (*TfLiteRnnOpsAddCustomFn)(void* resolver, const char* name,
                                        const TfLiteRegistration* registration, int version);
TFLITE_RNN_OPS_API void TfLiteRnnOpsRegisterWith(void* resolver, TfLiteRnnOpsAddCustomFn add_custom);

}  // extern "C"

#endif  // TFLITE_RNN_OPS_REGISTRATION_H_
