// std::vector storage aligned to a cache line. The SIMD microkernels use unaligned loads, but a
// 32/64-byte vector straddling two cache lines costs a second L1 access: with the default
// 16-byte alignment half the AVX2 (and all AVX-512) weight loads would split.
#ifndef TFLITE_RNN_OPS_KERNELS_ALIGNED_BUFFER_H_
#define TFLITE_RNN_OPS_KERNELS_ALIGNED_BUFFER_H_

#include <cstddef>
#include <new>
#include <vector>

namespace tflite_rnn_ops {

constexpr std::size_t kCacheLine = 64;

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kCacheLine)));
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(kCacheLine)); }
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const { return false; }
};

using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;

// Rounds a float count up to whole cache lines, so consecutive regions carved out of one
// buffer all start on a cache line.
inline std::size_t RoundToCacheLine(std::size_t floats) {
  constexpr std::size_t kPerLine = kCacheLine / sizeof(float);
  return (floats + kPerLine - 1) / kPerLine * kPerLine;
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ALIGNED_BUFFER_H_
