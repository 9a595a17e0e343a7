// A fixed team of threads for the sequence kernels' parallel regions, created once in Prepare.
//
// Run(fn) calls fn(t) once for every slice t in [0, size()) and returns when all have returned;
// that join is the one synchronisation a recurrent step pays. Thread t runs slice t whenever it
// is on time, so the slice of packed weights it owns stays in its core's cache from step to
// step. A thread that is late (descheduled on a busy machine) has its slice taken by one that
// is done with its own: the results are the same, since a slice is computed the same way
// whoever runs it, and a preempted worker costs one slice of time instead of a time slice.
//
// A recurrent step of a 256-unit LSTM takes microseconds, so waking a worker through the kernel
// (a condition variable) every step would cost as much as the step. Workers therefore spin on a
// generation counter for a bounded time, then yield, and only block once the pool has been idle
// for long (between invokes of a streaming app): an idle pool burns no CPU. Run allocates
// nothing and makes no system call unless a worker went to sleep.
#ifndef TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_
#define TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
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
  static constexpr int kMaxThreads = 64;  // one bit per slice in the claim mask

  // 2 <= threads (with one thread no pool exists); more than kMaxThreads are capped.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // fn(int t) for t in [0, size()). Not reentrant: fn must not call Run.
  template <class Fn>
  void Run(Fn& fn) {
    RunRaw([](void* f, int t) { (*static_cast<Fn*>(f))(t); }, &fn);
  }

 private:
  using Task = void (*)(void* fn, int t);
  void RunRaw(Task task, void* fn);
  void WorkerLoop(int t);
  void WaitForGeneration(uint64_t seen);
  // Claims and runs unclaimed slices, own slice t first.
  void RunSlices(int t);

  std::vector<std::thread> workers_;
  Task task_ = nullptr;  // written only while no slice is claimed or running
  void* fn_ = nullptr;
  std::atomic<bool> stop_{false};
  // Separate cache lines: the caller writes generation_, every thread writes the others.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<uint64_t> unclaimed_{0};  // bit t: slice t not taken yet
  alignas(64) std::atomic<int> unfinished_{0};      // slices not done yet
  alignas(64) std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// fn(Slice) for each thread's fixed share of n items (panels); without a pool, or with fewer
// items than threads, fn({0, n}) on the calling thread. Slices never split an item, so each item
// is computed exactly as a one-thread run computes it.
template <class Fn>
void ForEachSlice(ThreadPool* pool, int n, Fn&& fn) {
  if (pool == nullptr || n < pool->size()) {
    fn(Slice{0, n});
    return;
  }
  const int parts = pool->size();
  auto task = [&](int t) { fn(SliceOf(n, parts, t)); };
  pool->Run(task);
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_THREAD_POOL_H_
