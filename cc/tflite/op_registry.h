// The custom ops this library implements, by custom_code.
#ifndef TFLITE_RNN_OPS_TFLITE_OP_REGISTRY_H_
#define TFLITE_RNN_OPS_TFLITE_OP_REGISTRY_H_

#include "cc/tflite/c_abi.h"

namespace tflite_rnn_ops {

const abi::TfLiteRegistration* LstmRegistration();
const abi::TfLiteRegistration* GruRegistration();
const abi::TfLiteRegistration* RnnRegistration();

// Null when `custom_name` is not one of ours.
const abi::TfLiteRegistration* FindOpRegistration(const char* custom_name);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_OP_REGISTRY_H_
