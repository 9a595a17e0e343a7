#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/quantize_rows_simd.h"
#include "cc/kernels/isa/vec_neondot.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_neondot == Q8NeonDot::kKGroup &&
                  kQ8ActBytes_neondot == Q8NeonDot::kActBytes,
              "the activation layout dispatch.cc advertises must be the one written here");

// Q8Neon's rounding, rows zero padded to the sdot k group of 4.
void quantize_rows_neondot(const QuantizeRowsArgs& args) { QuantizeRowsSimd<Q8NeonDot>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
