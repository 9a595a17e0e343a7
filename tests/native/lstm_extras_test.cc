// The TF1 LSTMCell extras through the LSTM driver: peepholes (o sees the new cell state), cell
// clipping, projection with and without its clip, alone and together, with masks, lengths,
// go_backwards and bidirectional schedules.
#include <gtest/gtest.h>

#include "tests/native/support/expect_oracle.h"

namespace tro_test {
namespace {

CellSpec Lstm() {
  CellSpec s;
  s.cell = Cell::kLstm;
  s.with_state = true;
  return s;
}

TEST(LstmExtras, Peepholes) {
  CellSpec s = Lstm();
  s.peepholes = true;
  ExpectMatchesOracle(MakeCase(s, 41));
}

TEST(LstmExtras, CellClipBinds) {
  CellSpec s = Lstm();
  s.cell_clip = 0.3f;  // small enough that c hits the clip on most steps
  ExpectMatchesOracle(MakeCase(s, 42));
}

TEST(LstmExtras, Projection) {
  CellSpec s = Lstm();
  for (int proj : {1, 3, 8, 11}) {
    SCOPED_TRACE("num_proj " + std::to_string(proj));
    s.num_proj = proj;
    ExpectMatchesOracle(MakeCase(s, 43 + proj));
  }
}

TEST(LstmExtras, ProjectionClip) {
  CellSpec s = Lstm();
  s.num_proj = 4;
  s.proj_clip = 0.1f;
  ExpectMatchesOracle(MakeCase(s, 56));
}

TEST(LstmExtras, AllTogetherWithMaskBackwards) {
  CellSpec s = Lstm();
  s.peepholes = true;
  s.cell_clip = 0.5f;
  s.num_proj = 5;
  s.proj_clip = 0.4f;
  s.steps = Steps::kMask;
  s.go_backwards = true;
  ExpectMatchesOracle(MakeCase(s, 57));
  s.time_major = true;
  s.return_sequences = false;
  ExpectMatchesOracle(MakeCase(s, 58));
}

TEST(LstmExtras, AllTogetherWithLengths) {
  CellSpec s = Lstm();
  s.batch = 4;
  s.peepholes = true;
  s.cell_clip = 0.5f;
  s.num_proj = 3;
  s.steps = Steps::kLengths;
  ExpectMatchesOracle(MakeCase(s, 59));
  s.go_backwards = true;
  ExpectMatchesOracle(MakeCase(s, 60));
}

TEST(LstmExtras, Bidirectional) {
  CellSpec s = Lstm();
  s.peepholes = true;
  s.num_proj = 4;
  s.steps = Steps::kMask;
  for (int threads : {1, 2}) ExpectBidirectionalMatchesOracle(MakeCase(s, 61), threads);
}

}  // namespace
}  // namespace tro_test
