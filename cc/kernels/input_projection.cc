#include "cc/kernels/input_projection.h"

#include <cstddef>

#include "cc/kernels/sequence.h"

namespace tflite_rnn_ops {

void ProjectInputs(const mk::Microkernels& mk, const InputProjection& p, float* gx,
                   ThreadPool* pool) {
  if (p.time == 0) return;
  mk::GemmArgs g;
  g.rows = p.batch * p.time;
  g.k = p.input_size;
  g.panels = p.padded_units / mk.vec;
  g.gates = p.gates;
  g.a = p.x;
  g.a_stride = p.input_size;
  g.w = p.packed_kernel;
  g.bias = p.packed_bias;
  g.out = gx;
  g.out_stride = static_cast<size_t>(p.gates) * p.padded_units;
  const size_t panel_floats = static_cast<size_t>(p.gates) * mk.vec;
  ForEachSlice(pool, g.panels, [&](Slice s) {
    mk::GemmArgs part = g;
    part.panels = s.size();
    part.w += s.begin * panel_floats * p.input_size;
    part.bias += s.begin * panel_floats;
    part.out += s.begin * panel_floats;
    mk.gemm(part);
  });
  if (p.lengths != nullptr && p.go_backwards) {
    ReverseWithinLengths(gx, g.out_stride, p.batch, p.time, p.time_major, p.lengths);
  }
}

}  // namespace tflite_rnn_ops
