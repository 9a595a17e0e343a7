// The public registration functions (tflite_rnn_ops/registration.h) over our op registry.
#include "tflite_rnn_ops/registration.h"

#include "cc/tflite/op_registry.h"

namespace tflite_rnn_ops {
namespace {

// Our abi::TfLiteRegistration has TFLite's field order (static_asserts in c_abi.h).
const TfLiteRegistration* AsTfLite(const abi::TfLiteRegistration* registration) {
  return reinterpret_cast<const TfLiteRegistration*>(registration);
}

}  // namespace

const TfLiteRegistration* Register_LSTM() { return AsTfLite(LstmRegistration()); }
const TfLiteRegistration* Register_GRU() { return AsTfLite(GruRegistration()); }
const TfLiteRegistration* Register_RNN() { return AsTfLite(RnnRegistration()); }

}  // namespace tflite_rnn_ops

void TfLiteRnnOpsRegisterWith(void* resolver, TfLiteRnnOpsAddCustomFn add_custom) {
  struct Adder {
    void* resolver;
    TfLiteRnnOpsAddCustomFn add_custom;
    void AddCustom(const char* name, const TfLiteRegistration* r, int version) {
      add_custom(resolver, name, r, version);
    }
  } adder{resolver, add_custom};
  tflite_rnn_ops::RegisterAll(adder);
}
