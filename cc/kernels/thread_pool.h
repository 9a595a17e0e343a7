// A fixed team of threads for the sequence kernels' parallel regions, created once in Prepare.
//
// Run(fn, pieces) calls fn(p) once for every piece p in [0, pieces) and returns when all have
// returned; that join is the one synchronisation a recurrent step pays. The pieces are split
// into size() contiguous runs and thread t runs its own run whenever it is on time, so the slice
// of packed weights it owns stays in its core's cache from step to step. A thread done with its
// own run takes the pieces a late thread (descheduled on a busy machine) has not started, from
// the far end: the results are the same, since a piece is computed the same way whoever runs
// it, and a preempted worker costs at most the one piece it is running.
//
// A recurrent step of a 256-unit LSTM takes microseconds, so waking a worker through the kernel
// (a condition variable) every step would cost as much as the step. Workers therefore spin on a
// generation counter for a bounded time, then yield, and only block once the pool has been idle
// for long (between invokes of a streaming app): an idle pool burns no CPU. Run allocates
// nothing and makes no system call unless a worker went to sleep.
#ifndef TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_
#define TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace tflite_rnn_ops {

// The interpreter's thread count as the kernels use it: -1 (unset) and 0 mean one thread.
inline int EffectiveThreads(int recommended) { return recommended > 1 ? recommended : 1; }

// [begin, end) of slice t of n items split into `parts` contiguous, near-equal slices.
struct Slice {
  int begin = 0;
  int end = 0;
  int size() const { return end - begin; }
};
inline Slice SliceOf(int n, int parts, int t) {
  return {static_cast<int>(static_cast<int64_t>(n) * t / parts),
          static_cast<int>(static_cast<int64_t>(n) * (t + 1) / parts)};
}

class ThreadPool {
 public:
  static constexpr int kMaxThreads = 64;
  static constexpr int kMaxPiecesPerThread = 32;  // one bit per piece in a thread's claim word

  // 2 <= threads (with one thread no pool exists); more than kMaxThreads are capped.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // fn(int p) for p in [0, pieces), size() <= pieces <= size() * kMaxPiecesPerThread; thread t
  // owns pieces [First(t, pieces), First(t + 1, pieces)). Not reentrant: fn must not call Run.
  template <class Fn>
  void Run(Fn& fn, int pieces) {
    RunRaw([](void* f, int p) { (*static_cast<Fn*>(f))(p); }, &fn, pieces);
  }
  // One piece per thread: fn(t) for t in [0, size()).
  template <class Fn>
  void Run(Fn& fn) {
    Run(fn, size());
  }

  int First(int t, int pieces) const {
    return static_cast<int>(static_cast<int64_t>(pieces) * t / size());
  }

 private:
  using Task = void (*)(void* fn, int p);
  // High 32 bits: the generation the word belongs to; bit i: piece First(t) + i not taken yet.
  // The tag keeps a thread still looking at an earlier Run from claiming a piece of this one.
  struct alignas(64) Claims {
    std::atomic<uint64_t> word{0};
  };
  void RunRaw(Task task, void* fn, int pieces);
  void WorkerLoop(int t);
  void WaitForGeneration(uint64_t seen);
  // Runs thread t's own unclaimed pieces of generation `gen`, then steals the others' from the
  // end.
  void RunPieces(int t, uint64_t gen);
  bool Claim(int owner, int piece, int pieces, uint64_t gen);

  std::vector<std::thread> workers_;
  std::vector<Claims> claims_;  // one per thread, each on its own cache line
  Task task_ = nullptr;  // written only while no piece is claimed or running
  void* fn_ = nullptr;
  std::atomic<int> pieces_{0};  // read by late threads too, hence atomic
  std::atomic<bool> stop_{false};
  // Separate cache lines: the caller writes generation_, every thread writes the others.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int> unfinished_{0};  // pieces not done yet
  alignas(64) std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// fn(Slice) over n items (panels) split across the pool: each thread's fixed share, cut into up
// to kPiecesPerThread pieces so that a late thread holds up at most one piece. Without a pool,
// or with fewer items than threads, fn({0, n}) on the calling thread. Pieces never split an
// item, so each item is computed exactly as a one-thread run computes it.
template <class Fn>
void ForEachSlice(ThreadPool* pool, int n, Fn&& fn) {
  constexpr int kPiecesPerThread = 4;
  if (pool == nullptr || n < pool->size()) {
    fn(Slice{0, n});
    return;
  }
  const int pieces = std::min(n, pool->size() * kPiecesPerThread);
  auto task = [&](int p) { fn(SliceOf(n, pieces, p)); };
  pool->Run(task, pieces);
}

// The pool a GRU or SimpleRNN step splits over: none below kMinSplitStepBytes of float32
// recurrent weights, where one join per step costs more than half a short step saves. rnn_bench
// --input 40 --time 100, 2 threads against 1 (Sapphire Rapids VM): GRU 128 (192 KiB) 1.77 ->
// 2.12 us per step, SimpleRNN 256 (256 KiB) 2.33 -> 2.55, GRU 192 (432 KiB) 3.66 -> 3.60,
// SimpleRNN 384 (576 KiB) 5.09 -> 4.44, GRU 256 (768 KiB) 6.46 -> 5.15.
constexpr size_t kMinSplitStepBytes = 512 << 10;
inline ThreadPool* StepPool(ThreadPool* pool, size_t recurrent_float_bytes) {
  return recurrent_float_bytes >= kMinSplitStepBytes ? pool : nullptr;
}

// cell(a) with a restricted to each thread's unit blocks: Args is an mk::PanelRange (the GRU and
// SimpleRNN cell arguments).
template <class Args, class Cell>
void ForEachPanelSlice(ThreadPool* pool, const Args& a, Cell&& cell) {
  ForEachSlice(pool, a.panels, [&](Slice s) {
    Args slice = a;
    slice.panel_begin = s.begin;
    slice.panel_end = s.end;
    cell(slice);
  });
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_
