// tflite_rnn_ops/registration.h against a stand-in of TFLite's MutableOpResolver: the header must
// compile with the app's own TFLite declarations and register our three ops by name and version.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

// Stand-ins for the app's TFLite headers (tensorflow/lite/core/c/common.h, mutable_op_resolver.h):
// the same declarations upstream has, reduced to what RegisterAll touches.
struct TfLiteContext;
struct TfLiteNode;
typedef struct TfLiteRegistration {
  void* (*init)(TfLiteContext* context, const char* buffer, size_t length);
  void (*free)(TfLiteContext* context, void* buffer);
  int (*prepare)(TfLiteContext* context, TfLiteNode* node);
  int (*invoke)(TfLiteContext* context, TfLiteNode* node);
  const char* (*profiling_string)(const TfLiteContext* context, const TfLiteNode* node);
  int32_t builtin_code;
  const char* custom_name;
  int version;
  void* registration_external;
  void* async_kernel;
  uint64_t inplace_operator;
} TfLiteRegistration;

namespace tflite {
class MutableOpResolver {
 public:
  void AddCustom(const char* name, const TfLiteRegistration* registration, int version = 1) {
    added.push_back({name, registration, version});
  }
  struct Added {
    std::string name;
    const TfLiteRegistration* registration;
    int version;
  };
  std::vector<Added> added;
};
}  // namespace tflite

#include "tflite_rnn_ops/registration.h"

namespace {

TEST(RegisterAll, AddsOurThreeOpsByNameAndVersion) {
  tflite::MutableOpResolver resolver;
  tflite_rnn_ops::RegisterAll(resolver);
  ASSERT_EQ(resolver.added.size(), 3u);
  const char* names[] = {"TFLiteRnnOps>LSTM", "TFLiteRnnOps>GRU", "TFLiteRnnOps>RNN"};
  for (size_t i = 0; i < 3; ++i) {
    const auto& a = resolver.added[i];
    EXPECT_EQ(a.name, names[i]);
    EXPECT_EQ(a.version, 1);
    EXPECT_EQ(std::string(a.registration->custom_name), names[i]);
    EXPECT_EQ(a.registration->builtin_code, 32);  // kTfLiteBuiltinCustom
    EXPECT_NE(a.registration->init, nullptr);
    EXPECT_NE(a.registration->prepare, nullptr);
    EXPECT_NE(a.registration->invoke, nullptr);
    EXPECT_EQ(a.registration->registration_external, nullptr);
  }
  EXPECT_EQ(resolver.added[0].registration, tflite_rnn_ops::Register_LSTM());
}

}  // namespace
