#include "tests/native/support/expect_oracle.h"

#include <cmath>
#include <cstddef>
#include <string>

#include "tests/native/support/oracle.h"

namespace tro_test {

testing::AssertionResult AllNear(const char* what, const std::vector<float>& got,
                                 const std::vector<double>& want, double atol) {
  if (got.size() != want.size()) {
    return testing::AssertionFailure()
           << what << ": " << got.size() << " values, expected " << want.size();
  }
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    // NaN never compares greater: count it as infinitely wrong.
    if (!(err <= worst)) {
      worst = std::isnan(err) ? INFINITY : err;
      at = i;
    }
  }
  if (worst <= atol) return testing::AssertionSuccess();
  return testing::AssertionFailure() << what << ": max abs error " << worst << " > " << atol
                                     << " at index " << at << " (got " << got[at]
                                     << ", expected " << want[at] << ")";
}

void ExpectMatchesOracle(const Case& c) {
  const Expected e = Oracle(c, c.forward, c.spec.go_backwards, false);
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(std::string("isa ") + tflite_rnn_ops::IsaName(isa));
    const Result r = RunCell(isa, c);
    EXPECT_TRUE(AllNear("output", r.output, e.output));
    EXPECT_TRUE(AllNear("final h", r.h, e.h));
    EXPECT_TRUE(AllNear("final c", r.c, e.c));
  }
}

void ExpectBidirectionalMatchesOracle(const Case& c, int threads) {
  const ExpectedBidirectional e = OracleBidirectional(c);
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(std::string("isa ") + tflite_rnn_ops::IsaName(isa) +
                 ", threads " + std::to_string(threads));
    const BidirectionalResult r = RunBidirectional(isa, c, threads);
    EXPECT_TRUE(AllNear("output", r.output, e.output));
    EXPECT_TRUE(AllNear("forward h", r.forward.h, e.forward.h));
    EXPECT_TRUE(AllNear("forward c", r.forward.c, e.forward.c));
    EXPECT_TRUE(AllNear("backward h", r.backward.h, e.backward.h));
    EXPECT_TRUE(AllNear("backward c", r.backward.c, e.backward.c));
  }
}

}  // namespace tro_test
