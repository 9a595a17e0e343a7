#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/quantize_rows_simd.h"
#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx512 == Q8Avx2::kKGroup && kQ8ActBytes_avx512 == Q8Avx2::kActBytes,
              "the activation layout in the Microkernels table must be the one written here");

// The AVX2 leaf (int16 activations for q8_gemm_avx512, which is the AVX2 leaf too).
void quantize_rows_avx512(const QuantizeRowsArgs& args) { QuantizeRowsSimd<Q8Avx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
