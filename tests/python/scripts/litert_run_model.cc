// Runs a .tflite model through LiteRT 2.x's CompiledModel C API (libLiteRt.so) with our ops added
// by TfLiteRnnOpsAddToLiteRtOptions. test_registration_routes.py compiles and runs it.
//
// Usage: litert_run_model MODEL IN_DIR OUT_DIR
// Signature 0's inputs are read from IN_DIR/<i>.bin (raw, in signature order); its outputs are
// written to OUT_DIR/<i>.bin.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cc/tflite/litert_c_api_decls.h"
#include "tflite_rnn_ops/litert.h"

extern "C" {
typedef struct LiteRtEnvironmentT* LiteRtEnvironment;
typedef struct LiteRtModelT* LiteRtModel;
typedef struct LiteRtCompiledModelT* LiteRtCompiledModel;
typedef struct LiteRtSignatureT* LiteRtSignature;
typedef struct LiteRtTensorT* LiteRtTensor;
typedef struct LiteRtTensorBufferRequirementsT* LiteRtTensorBufferRequirements;
LiteRtStatus LiteRtCreateEnvironment(int num_options, const void* options, LiteRtEnvironment* env);
void LiteRtDestroyEnvironment(LiteRtEnvironment env);
LiteRtStatus LiteRtCreateModelFromFile(LiteRtEnvironment env, const char* path, LiteRtModel* m);
void LiteRtDestroyModel(LiteRtModel model);
LiteRtStatus LiteRtCreateOptions(LiteRtOptions* options);
void LiteRtDestroyOptions(LiteRtOptions options);
LiteRtStatus LiteRtSetOptionsHardwareAccelerators(LiteRtOptions options, int accelerators);
LiteRtStatus LiteRtCreateCompiledModel(LiteRtEnvironment env, LiteRtModel model,
                                       LiteRtOptions options, LiteRtCompiledModel* compiled);
void LiteRtDestroyCompiledModel(LiteRtCompiledModel compiled);
LiteRtStatus LiteRtGetModelSignature(LiteRtModel model, size_t index, LiteRtSignature* sig);
LiteRtStatus LiteRtGetNumSignatureInputs(LiteRtSignature sig, size_t* n);
LiteRtStatus LiteRtGetNumSignatureOutputs(LiteRtSignature sig, size_t* n);
LiteRtStatus LiteRtGetSignatureInputTensorByIndex(LiteRtSignature sig, size_t i, LiteRtTensor* t);
LiteRtStatus LiteRtGetSignatureOutputTensorByIndex(LiteRtSignature sig, size_t i, LiteRtTensor* t);
LiteRtStatus LiteRtGetRankedTensorType(LiteRtTensor tensor, LiteRtRankedTensorType* type);
LiteRtStatus LiteRtGetCompiledModelInputBufferRequirements(LiteRtCompiledModel compiled,
                                                           size_t signature, size_t input,
                                                           LiteRtTensorBufferRequirements* req);
LiteRtStatus LiteRtGetCompiledModelOutputBufferRequirements(LiteRtCompiledModel compiled,
                                                            size_t signature, size_t output,
                                                            LiteRtTensorBufferRequirements* req);
LiteRtStatus LiteRtCreateManagedTensorBufferFromRequirements(
    LiteRtEnvironment env, const LiteRtRankedTensorType* type,
    LiteRtTensorBufferRequirements requirements, LiteRtTensorBuffer* buffer);
void LiteRtDestroyTensorBuffer(LiteRtTensorBuffer buffer);
LiteRtStatus LiteRtRunCompiledModel(LiteRtCompiledModel compiled, size_t signature,
                                    size_t num_inputs, LiteRtTensorBuffer* inputs,
                                    size_t num_outputs, LiteRtTensorBuffer* outputs);
}

namespace {

constexpr int kLiteRtHwAcceleratorCpu = 1;

bool Check(LiteRtStatus status, const char* what) {
  if (status != kLiteRtStatusOk) std::fprintf(stderr, "%s failed with status %d\n", what, status);
  return status == kLiteRtStatusOk;
}

// Creates one buffer per signature tensor; fills inputs from IN_DIR or writes outputs to OUT_DIR.
bool MakeBuffers(LiteRtEnvironment env, LiteRtCompiledModel compiled, LiteRtSignature sig,
                 bool inputs, std::vector<LiteRtTensorBuffer>* buffers) {
  size_t n = 0;
  if (!Check(inputs ? LiteRtGetNumSignatureInputs(sig, &n) : LiteRtGetNumSignatureOutputs(sig, &n),
             "LiteRtGetNumSignature*")) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    LiteRtTensor tensor;
    LiteRtRankedTensorType type;
    LiteRtTensorBufferRequirements req;
    LiteRtTensorBuffer buffer;
    if (!Check(inputs ? LiteRtGetSignatureInputTensorByIndex(sig, i, &tensor)
                      : LiteRtGetSignatureOutputTensorByIndex(sig, i, &tensor),
               "LiteRtGetSignature*TensorByIndex") ||
        !Check(LiteRtGetRankedTensorType(tensor, &type), "LiteRtGetRankedTensorType") ||
        !Check(inputs ? LiteRtGetCompiledModelInputBufferRequirements(compiled, 0, i, &req)
                      : LiteRtGetCompiledModelOutputBufferRequirements(compiled, 0, i, &req),
               "LiteRtGetCompiledModel*BufferRequirements") ||
        !Check(LiteRtCreateManagedTensorBufferFromRequirements(env, &type, req, &buffer),
               "LiteRtCreateManagedTensorBufferFromRequirements")) {
      return false;
    }
    buffers->push_back(buffer);
  }
  return true;
}

bool CopyFile(LiteRtTensorBuffer buffer, const std::string& path, bool read) {
  size_t size = 0;
  void* data = nullptr;
  if (!Check(LiteRtGetTensorBufferSize(buffer, &size), "LiteRtGetTensorBufferSize") ||
      !Check(LiteRtLockTensorBuffer(buffer, &data, read ? kLiteRtTensorBufferLockModeWrite
                                                        : kLiteRtTensorBufferLockModeRead),
             "LiteRtLockTensorBuffer")) {
    return false;
  }
  FILE* f = std::fopen(path.c_str(), read ? "rb" : "wb");
  const size_t done = f == nullptr ? 0 : read ? std::fread(data, 1, size, f) : std::fwrite(data, 1, size, f);
  if (f != nullptr) std::fclose(f);
  LiteRtUnlockTensorBuffer(buffer);
  if (done != size) std::fprintf(stderr, "%s: expected %zu bytes, moved %zu\n", path.c_str(), size, done);
  return done == size;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL IN_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  LiteRtEnvironment env;
  LiteRtModel model;
  LiteRtOptions options;
  LiteRtCompiledModel compiled;
  LiteRtSignature sig;
  if (!Check(LiteRtCreateEnvironment(0, nullptr, &env), "LiteRtCreateEnvironment") ||
      !Check(LiteRtCreateModelFromFile(env, argv[1], &model), "LiteRtCreateModelFromFile") ||
      !Check(LiteRtCreateOptions(&options), "LiteRtCreateOptions") ||
      !Check(LiteRtSetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu),
             "LiteRtSetOptionsHardwareAccelerators") ||
      !Check(TfLiteRnnOpsAddToLiteRtOptions(options), "TfLiteRnnOpsAddToLiteRtOptions") ||
      !Check(LiteRtCreateCompiledModel(env, model, options, &compiled), "LiteRtCreateCompiledModel") ||
      !Check(LiteRtGetModelSignature(model, 0, &sig), "LiteRtGetModelSignature")) {
    return 1;
  }
  std::vector<LiteRtTensorBuffer> inputs, outputs;
  if (!MakeBuffers(env, compiled, sig, true, &inputs) ||
      !MakeBuffers(env, compiled, sig, false, &outputs)) {
    return 1;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!CopyFile(inputs[i], std::string(argv[2]) + "/" + std::to_string(i) + ".bin", true)) return 1;
  }
  if (!Check(LiteRtRunCompiledModel(compiled, 0, inputs.size(), inputs.data(), outputs.size(),
                                    outputs.data()),
             "LiteRtRunCompiledModel")) {
    return 1;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!CopyFile(outputs[i], std::string(argv[3]) + "/" + std::to_string(i) + ".bin", false)) return 1;
  }
  for (LiteRtTensorBuffer b : inputs) LiteRtDestroyTensorBuffer(b);
  for (LiteRtTensorBuffer b : outputs) LiteRtDestroyTensorBuffer(b);
  LiteRtDestroyCompiledModel(compiled);
  LiteRtDestroyOptions(options);
  LiteRtDestroyModel(model);
  LiteRtDestroyEnvironment(env);
  std::printf("ran %zu inputs -> %zu outputs\n", inputs.size(), outputs.size());
  return 0;
}
