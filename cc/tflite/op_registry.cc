#include "cc/tflite/op_registry.h"

#include <cstring>
#include <initializer_list>

namespace tflite_rnn_ops {

const abi::TfLiteRegistration* FindOpRegistration(const char* custom_name) {
  if (custom_name == nullptr) return nullptr;
  for (const abi::TfLiteRegistration* r : {LstmRegistration(), GruRegistration(), RnnRegistration()}) {
    if (std::strcmp(r->custom_name, custom_name) == 0) return r;
  }
  return nullptr;
}

}  // namespace tflite_rnn_ops
