// The int8 leaves that share an ISA's table entry with that ISA's own (microkernels.h): they
// read the ISA's packed panels (its vec) with a dot-product instruction only some CPUs of the
// ISA have, or with another instruction sequence and k group, and give the same bits.
// dispatch.cc puts the best one the CPU runs into the entry (Q8Leaf, dispatch.h); each is
// compiled only where its TRO_HAVE_Q8_<LEAF> macro is defined.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_Q8_LEAVES_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_Q8_LEAVES_H_

#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {

// Plain AVX2 (vpsignb + vpmaddubsw) in the avx2 entry, and in the avx512 entry on AVX-512F
// without BW: k group 4 with int8 activation rows, so its own quantize_rows.
constexpr int kQ8KGroup_avx2sign = 4;
constexpr int kQ8ActBytes_avx2sign = 1;
void quantize_rows_avx2sign(const QuantizeRowsArgs& args);
void q8_gemm_avx2sign(const Q8GemmArgs& args);

// AVX-VNNI (VEX vpdpbusd ymm) in the avx2 entry: the avx2sign layout and activation rows.
void q8_gemm_avxvnni(const Q8GemmArgs& args);

// AVX512_VNNI (vpdpbusd zmm) in the avx512 entry: the avx2sign layout and activation rows.
void q8_gemm_avx512vnni(const Q8GemmArgs& args);

// ARMv8.2 sdot in the (aarch64) neon entry: k group 4, so its own activation-row padding.
constexpr int kQ8KGroup_neondot = 4;
constexpr int kQ8ActBytes_neondot = 1;
void quantize_rows_neondot(const QuantizeRowsArgs& args);
void q8_gemm_neondot(const Q8GemmArgs& args);

}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_Q8_LEAVES_H_
