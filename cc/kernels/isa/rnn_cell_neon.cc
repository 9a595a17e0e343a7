#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"
#include "cc/kernels/isa/rnn_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_rnn_cell_neon(const RnnCellArgs& args) { RnnCellSimd<VecNeon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
