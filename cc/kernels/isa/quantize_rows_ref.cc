#include <cassert>
#include <cstdint>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/quantize_scalar.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8ActBytes_ref == 1, "the ref path quantizes activations to int8");

void quantize_rows_ref(const QuantizeRowsArgs& p) {
  assert(p.rows >= 0 && p.k >= 0 && p.q != nullptr && p.scales != nullptr);
  assert(p.q_stride >= static_cast<size_t>((p.k + kQ8KGroup_ref - 1) / kQ8KGroup_ref) *
                           kQ8KGroup_ref);
  QuantizeRowsScalar<int8_t>(p, kQ8KGroup_ref);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
