// int8 dot-product primitives of q8_gemm_simd.h for ARMv8.2's dot product (FEAT_DotProd,
// `sdot`): k group 4, int8 activations. Include only from files compiled with
// -march=armv8.2-a+dotprod; dispatch.cc picks them only when the kernel reports HWCAP_ASIMDDP.
// Internal linkage, see vec_avx2.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEONDOT_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEONDOT_H_

#if !defined(__aarch64__) || !defined(__ARM_FEATURE_DOTPROD)
#error "vec_neondot.h needs aarch64 and -march=armv8.2-a+dotprod"
#endif

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cc/kernels/isa/vec_neon.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

// sdot multiplies four int8 pairs per int32 lane and adds them into it: with the layout
// [kb][c][4], the 16 weight bytes of 4 columns meet the row's 4 activations of that group,
// broadcast to every lane. Exact (|sum of 4| <= 4 * 127 * 127). Activation quantization,
// the float epilogue and the int32x4 accumulators are Q8Neon's; only the k group (so the
// padding of the quantized rows) and the multiply-accumulate differ.
struct Q8NeonDot : Q8Neon {
  using A = int8x16_t;
  using Wv = int8x16_t;
  static constexpr int kKGroup = 4;
  static constexpr int kStepGroups = 1;

  static A LoadA(const char* row, int kb) {
    int32_t quad;
    std::memcpy(&quad, row + kb * 4, sizeof(quad));
    return vreinterpretq_s8_s32(vdupq_n_s32(quad));
  }
  static A LoadATail(const char* row, int kb) { return LoadA(row, kb); }
  static Wv LoadW(const int8_t* w, size_t /*group_bytes*/) { return vld1q_s8(w); }
  static Wv LoadWTail(const int8_t* w) { return vld1q_s8(w); }
  static Acc Madd(Acc acc, A a, Wv w) { return vdotq_s32(acc, w, a); }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEONDOT_H_
