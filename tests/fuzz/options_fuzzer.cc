// libFuzzer target: the flexbuffer options parser (cc/tflite/options.cc) on arbitrary bytes, then
// every getter on every key it found, the shared attribute parsing, and each op's Init (which
// must keep any error for Prepare instead of failing).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cc/tflite/op_common.h"
#include "cc/tflite/op_registry.h"
#include "cc/tflite/options.h"
#include "tests/fuzz/sanitizer_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tflite_rnn_ops::OpOptions;
  OpOptions options;
  std::string error;
  if (options.Parse(data, size, &error)) {
    for (const std::string& key : options.Keys()) {
      int64_t i = 0;
      bool b = false;
      float f = 0;
      std::string s;
      // Each getter either succeeds or explains itself: an empty message is a bug.
      if (!options.GetInt(key, &i, &error) && error.empty()) std::abort();
      error.clear();
      if (!options.GetBool(key, &b, &error) && error.empty()) std::abort();
      error.clear();
      if (!options.GetString(key, &s, &error) && error.empty()) std::abort();
      error.clear();
      if (!options.GetFloatOr(key, 0.0f, &f, &error) && error.empty()) std::abort();
      error.clear();
    }
    tflite_rnn_ops::SequenceAttrs attrs;
    if (!tflite_rnn_ops::ParseSequenceAttrs(options, &attrs, &error) && error.empty()) std::abort();
  } else if (error.empty()) {
    std::abort();
  }
  for (const auto* r : {tflite_rnn_ops::LstmRegistration(), tflite_rnn_ops::GruRegistration(),
                        tflite_rnn_ops::RnnRegistration()}) {
    void* user_data = r->init(nullptr, reinterpret_cast<const char*>(data), size);
    r->free(nullptr, user_data);
  }
  return 0;
}
