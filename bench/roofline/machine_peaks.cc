// Single-core peaks of this machine for bench/roofline/roofline.py: float32 FMA throughput and
// read bandwidth at working-set sizes that live in L1, L2, L3 and DRAM. Prints one JSON object.
//
// Built with the project as the CMake target `roofline_peaks` (bench/roofline/CMakeLists.txt),
// or directly:
//   g++ -O2 -march=native -std=c++17 bench/roofline/machine_peaks.cc -o build/roofline_peaks
// -march=native on purpose: the peak of the machine at hand, with its widest vectors.
//
// Usage: roofline_peaks   (cache sizes from sysfs)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace {

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kWidth = 16;
constexpr const char* kVecName = "avx512";
inline Vec Fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec Load(const float* p) { return _mm512_load_ps(p); }
inline Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline Vec Set1(float x) { return _mm512_set1_ps(x); }
inline float Sum(Vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kWidth = 8;
constexpr const char* kVecName = "avx2+fma";
inline Vec Fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec Load(const float* p) { return _mm256_load_ps(p); }
inline Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
inline Vec Set1(float x) { return _mm256_set1_ps(x); }
inline float Sum(Vec v) {
  alignas(32) float f[8];
  _mm256_store_ps(f, v);
  float s = 0;
  for (float x : f) s += x;
  return s;
}
#elif defined(__ARM_NEON) && defined(__aarch64__)
using Vec = float32x4_t;
constexpr int kWidth = 4;
constexpr const char* kVecName = "neon";
inline Vec Fma(Vec a, Vec b, Vec c) { return vfmaq_f32(c, a, b); }
inline Vec Load(const float* p) { return vld1q_f32(p); }
inline Vec Add(Vec a, Vec b) { return vaddq_f32(a, b); }
inline Vec Set1(float x) { return vdupq_n_f32(x); }
inline float Sum(Vec v) { return vaddvq_f32(v); }
#else
#error "roofline_peaks needs AVX2+FMA, AVX-512 or aarch64 NEON (build with -march=native)"
#endif

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// 12 independent FMA chains cover latency x pipes on current cores (4 x 2 on Zen 3 / Skylake).
constexpr int kChains = 12;

float FmaLoop(long iterations, float seed) {
  Vec acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = Set1(seed + i);
  const Vec a = Set1(0.999999f), b = Set1(1e-7f);
  for (long n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = Fma(acc[i], a, b);
  }
  Vec s = acc[0];
  for (int i = 1; i < kChains; ++i) s = Add(s, acc[i]);
  return Sum(s);
}

// Best of 5 runs, each about 0.1 s.
double FmaGflops() {
  long iterations = 1 << 20;
  double best = 0;
  volatile float sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    sink = sink + FmaLoop(iterations, 1.0f + rep);
    const double s = Seconds(t0, Clock::now());
    best = std::max(best, 2.0 * kChains * kWidth * iterations / s / 1e9);
    if (s < 0.05) iterations *= 4, --rep;
  }
  return best;
}

// Sum of `floats` floats, read with 8 independent accumulators (loads only, no stores).
float ReadOnce(const float* p, size_t floats) {
  Vec acc[8];
  for (auto& a : acc) a = Set1(0.0f);
  for (size_t i = 0; i + 8 * kWidth <= floats; i += 8 * kWidth) {
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) acc[k] = Add(acc[k], Load(p + i + k * kWidth));
  }
  Vec s = acc[0];
  for (int k = 1; k < 8; ++k) s = Add(s, acc[k]);
  return Sum(s);
}

// Best-of-3 read bandwidth (GB/s) of a working set of `bytes`, each run reading >= 64 MiB.
double ReadGBs(size_t bytes) {
  const size_t floats = bytes / sizeof(float) / (8 * kWidth) * (8 * kWidth);
  float* p = static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float)));
  for (size_t i = 0; i < floats; ++i) p[i] = 1e-6f * static_cast<float>(i % 1000);
  volatile float sink = 0;
  sink = sink + ReadOnce(p, floats);  // warm the level
  long reps = std::max<long>(1, (64L << 20) / static_cast<long>(floats * sizeof(float)));
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = Clock::now();
    for (long r = 0; r < reps; ++r) sink = sink + ReadOnce(p, floats);
    const double s = Seconds(t0, Clock::now());
    best = std::max(best, static_cast<double>(floats) * sizeof(float) * reps / s / 1e9);
  }
  std::free(p);
  return best;
}

// Data or unified cache size of `level` from sysfs (bytes), 0 if unknown.
size_t CacheBytes(int level) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::ifstream lvl(dir + "/level"), type(dir + "/type"), size(dir + "/size");
    int l = 0;
    std::string t, s;
    if (!(lvl >> l) || !(type >> t) || !(size >> s)) continue;
    if (l != level || t == "Instruction") continue;
    size_t value = std::strtoul(s.c_str(), nullptr, 10);
    if (s.back() == 'K') value <<= 10;
    if (s.back() == 'M') value <<= 20;
    return value;
  }
  return 0;
}

}  // namespace

int main() {
  const size_t l1 = CacheBytes(1), l2 = CacheBytes(2), l3 = CacheBytes(3);
  // Half of each level, so the set stays there next to everything else; DRAM: 8x the L3.
  const size_t sets[4] = {std::max<size_t>(l1, 32 << 10) / 2, std::max<size_t>(l2, 256 << 10) / 2,
                          std::max<size_t>(l3, 4 << 20) / 2, std::max<size_t>(l3, 32 << 20) * 8};
  const char* names[4] = {"L1", "L2", "L3", "DRAM"};
  std::printf("{\n  \"vector\": \"%s\",\n  \"fma_gflops\": %.2f,\n", kVecName, FmaGflops());
  std::printf("  \"cache_bytes\": {\"L1\": %zu, \"L2\": %zu, \"L3\": %zu},\n", l1, l2, l3);
  std::printf("  \"read_gbs\": {");
  for (int i = 0; i < 4; ++i) {
    std::printf("%s\"%s\": %.2f", i ? ", " : "", names[i], ReadGBs(sets[i]));
  }
  std::printf("},\n  \"working_set_bytes\": {");
  for (int i = 0; i < 4; ++i) std::printf("%s\"%s\": %zu", i ? ", " : "", names[i], sets[i]);
  // Every power of two from 16 KiB to the DRAM set: a layer's weights are read at the bandwidth
  // of their own size (a shared or virtualised L3 may hold less than its nominal size).
  std::printf("},\n  \"read_gbs_by_size\": [");
  bool first = true;
  for (size_t bytes = 16 << 10; bytes <= sets[3]; bytes *= 2, first = false) {
    std::printf("%s[%zu, %.2f]", first ? "" : ", ", bytes, ReadGBs(bytes));
  }
  std::printf("]\n}\n");
  return 0;
}
