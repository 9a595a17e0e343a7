#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/quantize_rows_simd.h"
#include "cc/kernels/isa/vec_avx512.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx512 == Q8Avx512Quantize::kKGroup &&
                  kQ8ActBytes_avx512 == Q8Avx512Quantize::kActBytes,
              "the activation layout in the Microkernels table must be the one written here");

// int16 activation rows for every int8 leaf of the avx512 entry (AVX-512F only). Compiled
// here but NOT executed on the development machine (AMD Zen 3 has no AVX-512).
void quantize_rows_avx512(const QuantizeRowsArgs& args) {
  QuantizeRowsSimd<Q8Avx512Quantize>(args);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
