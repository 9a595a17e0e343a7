// The sequence drivers (cc/kernels/{lstm,gru,rnn}.h on cc/kernels/sequence.h) against the float64
// oracle, on every ISA this build and CPU have: Keras masks, go_backwards, time-major layout,
// initial and final states, sizes around every vector width.
#include <gtest/gtest.h>

#include "cc/kernels/input_projection.h"

#include "tests/native/support/cell_variants.h"
#include "tests/native/support/expect_oracle.h"

namespace tro_test {
namespace {

class SequenceDriverTest : public testing::TestWithParam<CellVariant> {
 protected:
  CellSpec spec_ = GetParam().Spec();
};

TEST_P(SequenceDriverTest, FullSequence) {
  ExpectMatchesOracle(MakeCase(spec_, 1));
}

TEST_P(SequenceDriverTest, LastOutputOnly) {
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 2));
}

TEST_P(SequenceDriverTest, InitialStatesAndNoBias) {
  spec_.with_state = true;
  spec_.with_bias = false;
  ExpectMatchesOracle(MakeCase(spec_, 3));
}

TEST_P(SequenceDriverTest, MaskCarriesPreviousOutputAndStates) {
  spec_.steps = Steps::kMask;
  spec_.with_state = true;
  ExpectMatchesOracle(MakeCase(spec_, 4));
}

TEST_P(SequenceDriverTest, MaskWithZeroOutputForMask) {
  spec_.steps = Steps::kMask;
  spec_.zero_output_for_mask = true;
  ExpectMatchesOracle(MakeCase(spec_, 5));
}

TEST_P(SequenceDriverTest, MaskLastOutputOnly) {
  // Row 1 ends in padding: its last output is the one carried from its last valid step.
  spec_.steps = Steps::kMask;
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 6));
}

TEST_P(SequenceDriverTest, GoBackwards) {
  spec_.go_backwards = true;
  spec_.with_state = true;
  ExpectMatchesOracle(MakeCase(spec_, 7));
}

TEST_P(SequenceDriverTest, GoBackwardsWithMask) {
  spec_.go_backwards = true;
  spec_.steps = Steps::kMask;
  ExpectMatchesOracle(MakeCase(spec_, 8));
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 9));
}

TEST_P(SequenceDriverTest, TimeMajor) {
  spec_.time_major = true;
  spec_.with_state = true;
  ExpectMatchesOracle(MakeCase(spec_, 10));
}

TEST_P(SequenceDriverTest, TimeMajorBackwardsWithMask) {
  spec_.time_major = true;
  spec_.go_backwards = true;
  spec_.steps = Steps::kMask;
  spec_.zero_output_for_mask = true;
  ExpectMatchesOracle(MakeCase(spec_, 11));
}

TEST_P(SequenceDriverTest, OtherActivations) {
  spec_.activation = Activation::kRelu;
  spec_.recurrent_activation = Activation::kHardSigmoid;
  ExpectMatchesOracle(MakeCase(spec_, 12));
  spec_.activation = Activation::kLinear;
  spec_.recurrent_activation = Activation::kSigmoid;
  ExpectMatchesOracle(MakeCase(spec_, 13));
}

// Units 1..33 cover below, at and above every vector width (4 NEON, 8 AVX2, 16 AVX-512), with
// a single row and with several.
TEST_P(SequenceDriverTest, UnitsAroundVectorWidths) {
  for (int units : {1, 3, 4, 5, 8, 9, 16, 17, 33}) {
    for (int batch : {1, 4}) {
      SCOPED_TRACE("units " + std::to_string(units) + ", batch " + std::to_string(batch));
      spec_.units = units;
      spec_.batch = batch;
      spec_.input = units % 5 + 1;
      spec_.steps = Steps::kMask;
      ExpectMatchesOracle(MakeCase(spec_, 100 + units * 10 + batch));
    }
  }
}

TEST_P(SequenceDriverTest, LongSequence) {
  spec_.time = 100;
  spec_.units = 12;
  spec_.steps = Steps::kMask;
  ExpectMatchesOracle(MakeCase(spec_, 14));
}

// More steps than one chunk of input projections (ChunkedProjection), the last chunk partial,
// read in both directions, in both layouts, and with lengths (whose go_backwards chunks read
// each row's steps reversed within its length, so a chunk can straddle a row's end).
TEST_P(SequenceDriverTest, InputProjectedInChunks) {
  spec_.time = 2 * tflite_rnn_ops::ChunkedProjection::kChunkSteps + 5;
  spec_.with_state = true;
  int seed = 200;
  for (Steps steps : {Steps::kAll, Steps::kMask, Steps::kLengths}) {
    for (bool time_major : {false, true}) {
      for (bool go_backwards : {false, true}) {
        SCOPED_TRACE(testing::Message() << "steps " << static_cast<int>(steps) << " time_major "
                                        << time_major << " go_backwards " << go_backwards);
        spec_.steps = steps;
        spec_.time_major = time_major;
        spec_.go_backwards = go_backwards;
        ExpectMatchesOracle(MakeCase(spec_, seed++));
      }
    }
  }
}

TEST_P(SequenceDriverTest, ZeroStepsKeepsInitialStates) {
  spec_.time = 0;
  spec_.with_state = true;
  spec_.return_sequences = false;
  ExpectMatchesOracle(MakeCase(spec_, 15));
}

TEST_P(SequenceDriverTest, ScratchReservedForALargerRun) {
  // An op reserves for the largest shape seen; a later, smaller run must not read stale rows.
  spec_.steps = Steps::kMask;
  const Case c = MakeCase(spec_, 16);
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(tflite_rnn_ops::IsaName(isa));
    const Result exact = RunCell(isa, c);
    const Result slack = RunCell(isa, c, /*reserve_slack=*/5);
    EXPECT_EQ(exact.output, slack.output);
    EXPECT_EQ(exact.h, slack.h);
    EXPECT_EQ(exact.c, slack.c);
  }
}

TEST_P(SequenceDriverTest, RunAllocatesNothing) {
  spec_.steps = Steps::kMask;
  spec_.with_state = true;
  const Case c = MakeCase(spec_, 17);
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(tflite_rnn_ops::IsaName(isa));
    size_t allocations = 1;
    RunCell(isa, c, 0, &allocations);
    EXPECT_EQ(allocations, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, SequenceDriverTest, testing::ValuesIn(kCellVariants),
                         VariantName);

}  // namespace
}  // namespace tro_test
