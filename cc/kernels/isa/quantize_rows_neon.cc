#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/quantize_rows_simd.h"
#include "cc/kernels/isa/vec_neon.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_neon == Q8Neon::kKGroup && kQ8ActBytes_neon == Q8Neon::kActBytes,
              "the activation layout in the Microkernels table must be the one written here");

void quantize_rows_neon(const QuantizeRowsArgs& args) { QuantizeRowsSimd<Q8Neon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
