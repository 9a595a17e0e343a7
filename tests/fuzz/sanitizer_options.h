// Sanitizer defaults every fuzz target links in, so a crash reproduces with the bare binary.
// Any allocation beyond 1 GiB is reported at once (ASan's operator new cannot fail softly, so
// the op fuzzer keeps each accepted buffer below 128 MiB; one scratch block holds several of
// them, e.g. an int8 op's input projection plus its quantized input rows). Allocation failure
// has its own native test.
#ifndef TFLITE_RNN_OPS_TESTS_FUZZ_SANITIZER_OPTIONS_H_
#define TFLITE_RNN_OPS_TESTS_FUZZ_SANITIZER_OPTIONS_H_

extern "C" const char* __asan_default_options() {
  return "max_allocation_size_mb=1024:detect_leaks=1";
}
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

#endif  // TFLITE_RNN_OPS_TESTS_FUZZ_SANITIZER_OPTIONS_H_
