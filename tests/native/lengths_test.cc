// Per-example lengths (TF1 dynamic_rnn's sequence_length) through the drivers: rows stop at
// their own length (0, 1, T and values between), outputs past it are zeros, final states are
// those of each row's last step; go_backwards reverses within the valid length.
#include <gtest/gtest.h>

#include "tests/native/support/cell_variants.h"
#include "tests/native/support/expect_oracle.h"

namespace tro_test {
namespace {

class LengthsTest : public testing::TestWithParam<CellVariant> {
 protected:
  LengthsTest() {
    spec_.steps = Steps::kLengths;
    spec_.batch = 5;
    spec_.with_state = true;
  }
  CellSpec spec_ = GetParam().Spec();
};

TEST_P(LengthsTest, Forward) {
  ExpectMatchesOracle(MakeCase(spec_, 21));
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 22));
}

TEST_P(LengthsTest, GoBackwardsReversesWithinEachLength) {
  spec_.go_backwards = true;
  ExpectMatchesOracle(MakeCase(spec_, 23));
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 24));
}

TEST_P(LengthsTest, TimeMajor) {
  spec_.time_major = true;
  ExpectMatchesOracle(MakeCase(spec_, 25));
  spec_.go_backwards = true;
  ExpectMatchesOracle(MakeCase(spec_, 26));
}

TEST_P(LengthsTest, Bidirectional) {
  spec_.time = 9;
  for (int threads : {1, 2}) {
    ExpectBidirectionalMatchesOracle(MakeCase(spec_, 27), threads);
    spec_.time_major = true;
    ExpectBidirectionalMatchesOracle(MakeCase(spec_, 28), threads);
    spec_.time_major = false;
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, LengthsTest, testing::ValuesIn(kCellVariants), VariantName);

}  // namespace
}  // namespace tro_test
