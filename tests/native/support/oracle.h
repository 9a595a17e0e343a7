// Independent double-precision oracles for the sequence drivers, written from the Keras 3 and
// TF1 definitions (the same math as tests/python/kernel_oracles.py): scalar loops over one batch
// row at a time, no packing, no padding, nothing shared with cc/kernels except the enums.
//
// Supported activations: tanh, sigmoid, hard_sigmoid, relu, linear (the per-activation math of
// the kernels is covered by the microkernel tests); any other aborts.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ORACLE_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ORACLE_H_

#include <vector>

#include "tests/native/support/cases.h"

namespace tro_test {

struct Expected {
  std::vector<double> output, h, c;
};

// One direction over the whole sequence, in the layout RunCell writes. go_backwards and
// time_order as in cc/kernels/sequence.h (time_order: the backward half of a bidirectional
// layer, output reversed back to time order).
Expected Oracle(const Case& c, const Direction& d, bool go_backwards, bool time_order);

// Keras Bidirectional(merge_mode="concat") of two oracle runs, in RunBidirectional's layout.
struct ExpectedBidirectional {
  std::vector<double> output;
  Expected forward, backward;
};
ExpectedBidirectional OracleBidirectional(const Case& c);

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_ORACLE_H_
