#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx512.h"
#include "cc/kernels/isa/rnn_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_rnn_cell_avx512(const RnnCellArgs& args) { RnnCellSimd<VecAvx512>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
