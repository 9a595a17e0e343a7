// GoogleTest assertions comparing the drivers (every available ISA) with the oracle.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_EXPECT_ORACLE_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_EXPECT_ORACLE_H_

#include <gtest/gtest.h>

#include <vector>

#include "tests/native/support/cases.h"

namespace tro_test {

// Float32 kernels vs the float64 oracle, O(1) activations, sequences up to ~100 steps: the
// same bound as tests/python (SEQ_ATOL) and the project's parity standard.
constexpr double kSeqAtol = 1e-5;

// Max abs error within atol and equal sizes; the message names the worst index.
testing::AssertionResult AllNear(const char* what, const std::vector<float>& got,
                                 const std::vector<double>& want, double atol = kSeqAtol);

// Runs c on every available ISA and checks output and final states against Oracle.
void ExpectMatchesOracle(const Case& c);
// Same for both directions of a bidirectional layer, on one thread or a thread per direction.
void ExpectBidirectionalMatchesOracle(const Case& c, int threads = 1);

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_EXPECT_ORACLE_H_
