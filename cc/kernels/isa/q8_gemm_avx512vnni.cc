#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_avx512.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx2sign == Q8Avx512Vnni::kKGroup &&
                  kQ8ActBytes_avx2sign == Q8Avx512Vnni::kActBytes,
              "the int8 layout dispatch.cc advertises must be the one this leaf reads");
static_assert(kVec_avx512 % Q8Avx512Vnni::kCols == 0, "a panel must be whole accumulators");

// vpdpbusd on the avx2sign leaf's layout (vec_avx512.h). dispatch.cc selects it only when
// CPUID reports AVX512F, AVX512BW and AVX512_VNNI; q8_leaves_test.cc compares it with ref bit
// for bit.
void q8_gemm_avx512vnni(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx512Vnni>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
