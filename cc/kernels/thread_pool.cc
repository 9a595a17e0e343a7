#include "cc/kernels/thread_pool.h"

#include <algorithm>
#include <cassert>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tflite_rnn_ops {
namespace {

// Spinning covers the gap between two steps and between the invokes of a busy caller; past it
// the thread yields its core to whoever else wants it, and past that it sleeps.
constexpr auto kSpinFor = std::chrono::microseconds(50);
constexpr auto kYieldFor = std::chrono::microseconds(500);
constexpr auto kForever = std::chrono::microseconds(-1);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

// Waits until done() holds: spins, then yields; returns false if `yield_for` (unless kForever)
// ran out first.
template <class Done>
bool SpinThenYield(Done done, std::chrono::microseconds yield_for) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  for (;;) {
    for (int k = 0; k < 64; ++k) {
      if (done()) return true;
      CpuRelax();
    }
    const auto waited = Clock::now() - start;
    if (yield_for != kForever && waited > kSpinFor + yield_for) return false;
    if (waited > kSpinFor) std::this_thread::yield();
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  threads = std::min(threads, kMaxThreads);
  assert(threads >= 2);
  claims_ = std::vector<Claims>(threads);
  workers_.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);  // published by the generation bump
  generation_.fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  for (std::thread& w : workers_) w.join();
}

bool ThreadPool::Claim(int owner, int piece, int pieces, uint64_t gen) {
  const uint64_t tag = gen << 32;
  const uint64_t bit = uint64_t{1} << (piece - First(owner, pieces));
  std::atomic<uint64_t>& word = claims_[owner].word;
  uint64_t w = word.load(std::memory_order_relaxed);
  // acq_rel: a won claim synchronises with the caller's publication of task_ and fn_.
  while ((w & ~uint64_t{0xffffffff}) == tag && (w & bit) != 0) {
    if (word.compare_exchange_weak(w, w & ~bit, std::memory_order_acq_rel,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void ThreadPool::RunPieces(int t, uint64_t gen) {
  gen &= 0xffffffff;
  const int pieces = pieces_.load(std::memory_order_relaxed);  // stale only if gen is stale
  auto run = [&](int owner, int piece) {
    if (!Claim(owner, piece, pieces, gen)) return;
    task_(fn_, piece);
    unfinished_.fetch_sub(1, std::memory_order_acq_rel);
  };
  const int n = size();
  for (int p = First(t, pieces); p < First(t + 1, pieces); ++p) run(t, p);
  for (int i = 1; i < n; ++i) {
    const int owner = (t + i) % n;
    for (int p = First(owner + 1, pieces) - 1; p >= First(owner, pieces); --p) run(owner, p);
  }
}

void ThreadPool::RunRaw(Task task, void* fn, int pieces) {
  const int n = size();
  assert(pieces >= n && pieces <= n * kMaxPiecesPerThread);
  const uint64_t gen = generation_.load(std::memory_order_relaxed) + 1;  // only we write it
  task_ = task;
  fn_ = fn;
  pieces_.store(pieces, std::memory_order_relaxed);
  unfinished_.store(pieces, std::memory_order_relaxed);
  for (int t = 0; t < n; ++t) {
    const int own = First(t + 1, pieces) - First(t, pieces);
    claims_[t].word.store(((gen & 0xffffffff) << 32) | ((uint64_t{1} << own) - 1),
                          std::memory_order_release);
  }
  // seq_cst pairs with the sleeper's increment-then-check in WaitForGeneration: either it sees
  // the new generation or this thread sees it asleep and wakes it.
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  RunPieces(0, gen);
  // Only pieces already running remain, one per late thread at most: never sleep on them.
  SpinThenYield([this] { return unfinished_.load(std::memory_order_acquire) == 0; }, kForever);
}

void ThreadPool::WaitForGeneration(uint64_t seen) {
  auto changed = [this, seen] { return generation_.load(std::memory_order_acquire) != seen; };
  if (SpinThenYield(changed, kYieldFor)) return;
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  wake_.wait(lock, [this, seen] { return generation_.load(std::memory_order_seq_cst) != seen; });
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

void ThreadPool::WorkerLoop(int t) {
  uint64_t seen = 0;
  for (;;) {
    WaitForGeneration(seen);
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_relaxed)) return;
    RunPieces(t, seen);
  }
}

}  // namespace tflite_rnn_ops
