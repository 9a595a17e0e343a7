#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx2.h"
#include "cc/kernels/isa/rnn_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_rnn_cell_avx2(const RnnCellArgs& args) { RnnCellSimd<VecAvx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
