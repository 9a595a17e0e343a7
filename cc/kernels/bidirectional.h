// Runs the two directions of a bidirectional layer: step by step in lockstep on one thread, or
// each direction on its own thread of a pool (no synchronisation until both are done).
//
// Keras's Bidirectional runs the backward layer with go_backwards=True on the same input and
// mask, then reverses its output sequence back to time order. Init the backward kernel with
// go_backwards = true and pass a placement with time_order = true, and its sequence lands in
// time order directly; with row_stride = 2U and output pointers U floats apart, the two halves
// of a concat-merged [.., 2U] output are written in place.
#ifndef TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
#define TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_

#include <cstddef>

#include "cc/kernels/sequence.h"
#include "cc/kernels/thread_pool.h"

namespace tflite_rnn_ops {

// Interleaving the two directions hides each step's latency behind the other's, but it needs
// both directions' recurrent weights in cache at once. Past half of the L2 cache that costs more
// than it saves (a bidirectional LSTM with 256 units streams 2 MB of weights per step pair), so
// larger layers run one direction after the other. The cache size is read once.
bool InterleaveDirections(size_t recurrent_weight_bytes_per_direction);

template <class Kernel, class Io>
void RunDirection(Kernel& kernel, const Io& io, const OutputPlacement& placement) {
  kernel.Begin(io, placement);
  while (!kernel.done()) kernel.Step();
  kernel.Finish();
}

// Forward/Backward: LstmKernel, GruKernel or RnnKernel (any mix), each Init/Pack/Reserve'd.
// With a pool (>= 2 threads) the forward direction runs on thread 0 and the backward one on
// thread 1, so each core keeps one direction's weights; the kernels must then have no pool of
// their own. Without, `interleave` picks lockstep or one direction after the other.
template <class Forward, class ForwardIo, class Backward, class BackwardIo>
void RunBidirectional(Forward& forward, const ForwardIo& forward_io,
                      const OutputPlacement& forward_placement, Backward& backward,
                      const BackwardIo& backward_io, const OutputPlacement& backward_placement,
                      bool interleave = true, ThreadPool* pool = nullptr) {
  if (pool != nullptr) {
    auto task = [&](int t) {
      if (t == 0) RunDirection(forward, forward_io, forward_placement);
      if (t == 1) RunDirection(backward, backward_io, backward_placement);
    };
    pool->Run(task);
    return;
  }
  forward.Begin(forward_io, forward_placement);
  if (!interleave) {
    while (!forward.done()) forward.Step();
    forward.Finish();
  }
  backward.Begin(backward_io, backward_placement);
  while (!forward.done() || !backward.done()) {
    if (!forward.done()) forward.Step();
    if (!backward.done()) backward.Step();
  }
  if (interleave) forward.Finish();
  backward.Finish();
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
