// Runs the two directions of a bidirectional layer: one after the other on one thread, or each
// direction on its own thread of a pool (no synchronisation until both are done).
//
// Keras's Bidirectional runs the backward layer with go_backwards=True on the same input and
// mask, then reverses its output sequence back to time order. Init the backward kernel with
// go_backwards = true and pass a placement with time_order = true, and its sequence lands in
// time order directly; with row_stride = 2U and output pointers U floats apart, the two halves
// of a concat-merged [.., 2U] output are written in place.
#ifndef TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
#define TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_


#include "cc/kernels/sequence.h"
#include "cc/kernels/thread_pool.h"

namespace tflite_rnn_ops {

template <class Kernel, class Io>
void RunDirection(Kernel& kernel, const Io& io, const OutputPlacement& placement) {
  kernel.Begin(io, placement);
  while (!kernel.done()) kernel.Step();
  kernel.Finish();
}

// Forward/Backward: LstmKernel, GruKernel or RnnKernel (any mix), each Init/Pack/Reserve'd.
// With a pool (>= 2 threads) the forward direction runs on thread 0 and the backward one on
// thread 1, so each core keeps one direction's weights; the kernels must then have no pool of
// their own. Without, the directions run one after the other: each then starts its steps on
// the weights its previous step left in L1 (the alternating block order, microkernels.h), which
// stepping them in lockstep loses. On an AVX-512 Xeon that made LSTM 64-128 5-12% faster than
// lockstep and never slower (rnn_bench, units 16-128); a step has enough independent FMA chains
// of its own that the other direction's are not needed to hide latency.
template <class Forward, class ForwardIo, class Backward, class BackwardIo>
void RunBidirectional(Forward& forward, const ForwardIo& forward_io,
                      const OutputPlacement& forward_placement, Backward& backward,
                      const BackwardIo& backward_io, const OutputPlacement& backward_placement,
                      ThreadPool* pool = nullptr) {
  if (pool != nullptr) {
    auto task = [&](int t) {
      if (t == 0) RunDirection(forward, forward_io, forward_placement);
      if (t == 1) RunDirection(backward, backward_io, backward_placement);
    };
    pool->Run(task);
    return;
  }
  RunDirection(forward, forward_io, forward_placement);
  RunDirection(backward, backward_io, backward_placement);
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
