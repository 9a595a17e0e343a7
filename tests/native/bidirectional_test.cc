// RunBidirectional (cc/kernels/bidirectional.h) in both schedules, one direction after the other
// on one thread and a thread per direction, against two oracle runs merged as Keras's Bidirectional(merge_mode="concat"):
// the backward half is in time order and both halves are written in place with a 2H row stride.
#include <gtest/gtest.h>

#include "cc/kernels/bidirectional.h"
#include "tests/native/support/cell_variants.h"
#include "tests/native/support/expect_oracle.h"
#include "tests/native/support/oracle.h"

namespace tro_test {
namespace {

struct Schedule {
  int threads;
  const char* name;
};

class BidirectionalTest
    : public testing::TestWithParam<std::tuple<CellVariant, Schedule>> {
 protected:
  CellSpec spec_ = std::get<0>(GetParam()).Spec();
  int threads_ = std::get<1>(GetParam()).threads;
};

TEST_P(BidirectionalTest, FullSequence) {
  ExpectBidirectionalMatchesOracle(MakeCase(spec_, 31), threads_);
}

TEST_P(BidirectionalTest, LastOutputsAndInitialStates) {
  spec_.return_sequences = false;
  spec_.with_state = true;
  ExpectBidirectionalMatchesOracle(MakeCase(spec_, 32), threads_);
}

TEST_P(BidirectionalTest, Mask) {
  spec_.steps = Steps::kMask;
  ExpectBidirectionalMatchesOracle(MakeCase(spec_, 33), threads_);
  spec_.zero_output_for_mask = true;
  spec_.return_sequences = false;
  ExpectBidirectionalMatchesOracle(MakeCase(spec_, 34), threads_);
}

TEST_P(BidirectionalTest, TimeMajorWithMask) {
  spec_.time_major = true;
  spec_.steps = Steps::kMask;
  spec_.with_state = true;
  ExpectBidirectionalMatchesOracle(MakeCase(spec_, 35), threads_);
}

TEST_P(BidirectionalTest, UnitsAroundVectorWidths) {
  for (int units : {1, 4, 9, 17}) {
    SCOPED_TRACE("units " + std::to_string(units));
    spec_.units = units;
    ExpectBidirectionalMatchesOracle(MakeCase(spec_, 36 + units), threads_);
  }
}

TEST_P(BidirectionalTest, RunAllocatesNothing) {
  spec_.steps = Steps::kMask;
  const Case c = MakeCase(spec_, 37);
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(tflite_rnn_ops::IsaName(isa));
    size_t allocations = 1;
    RunBidirectional(isa, c, threads_, &allocations);
    EXPECT_EQ(allocations, 0u);
  }
}

const Schedule kSchedules[] = {{1, "sequential"}, {2, "thread_per_direction"}};

INSTANTIATE_TEST_SUITE_P(
    Cells, BidirectionalTest,
    testing::Combine(testing::ValuesIn(kCellVariants), testing::ValuesIn(kSchedules)),
    [](const testing::TestParamInfo<BidirectionalTest::ParamType>& info) {
      return std::string(std::get<0>(info.param).name) + "_" + std::get<1>(info.param).name;
    });

}  // namespace
}  // namespace tro_test
