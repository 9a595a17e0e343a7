#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/quantize_rows_simd.h"
#include "cc/kernels/isa/vec_avx2sign.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx2sign == Q8Avx2Sign::kKGroup &&
                  kQ8ActBytes_avx2sign == Q8Avx2Sign::kActBytes,
              "the activation layout dispatch.cc advertises must be the one written here");

// Q8Avx2's rounding, into int8 rows zero padded to the k group of 4.
void quantize_rows_avx2sign(const QuantizeRowsArgs& args) { QuantizeRowsSimd<Q8Avx2Sign>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
