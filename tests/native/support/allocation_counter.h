// Counts heap allocations (every global operator new) between Start and Stop, so tests can
// assert that a kernel's Run allocates nothing. The replacement operators forward to malloc /
// posix_memalign and change nothing else.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ALLOCATION_COUNTER_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ALLOCATION_COUNTER_H_

#include <cstddef>

namespace tro_test {

class AllocationCounter {
 public:
  AllocationCounter();   // starts counting
  ~AllocationCounter();  // stops
  size_t count() const;
};

// While alive, a single allocation above `max_bytes` fails (operator new throws std::bad_alloc,
// the nothrow forms return null): memory exhaustion on demand, on any target and under ASan.
class AllocationLimit {
 public:
  explicit AllocationLimit(size_t max_bytes);
  ~AllocationLimit();
};

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ALLOCATION_COUNTER_H_
