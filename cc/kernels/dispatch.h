// Instruction-set selection, decided once per process.
#ifndef TFLITE_RNN_OPS_KERNELS_DISPATCH_H_
#define TFLITE_RNN_OPS_KERNELS_DISPATCH_H_

#include <vector>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {

// True when the variant was compiled into this build AND the running CPU (and OS) supports it.
bool IsaAvailable(Isa isa);

// The best available ISA, or the one named by the environment variable TFLITE_RNN_OPS_ISA
// ("ref", "avx2", ...) when that one is available. Computed on first call, then fixed.
Isa ActiveIsa();

const char* IsaName(Isa isa);
// Returns false for an unknown name.
bool IsaFromName(const char* name, Isa* out);

namespace mk {

// The microkernel table of an available ISA (asserts IsaAvailable).
const Microkernels& MicrokernelsFor(Isa isa);

// int8 product leaves. Within one ISA's entry, the int8 products (quantize_rows, q8_gemm and
// the q8_k_group / q8_act_bytes layout they imply) come from the best leaf this build has and
// this CPU runs, decided once with the table: avx2 -> avxvnni (CPUID AVX-VNNI) else avx2sign
// (vpsignb + vpmaddubsw) else avx2; avx512 -> avx512vnni (AVX512BW + AVX512_VNNI) else avx512
// (AVX512BW) else avx2sign else avx2; neon
// (aarch64) -> neondot (HWCAP_ASIMDDP) else neon. All give ref's bits (integer sums), so the
// choice changes speed only. TFLITE_RNN_OPS_ISA picks the ISA; the leaf still follows the CPU.
enum class Q8Leaf : int { kRef = 0, kAvx2, kAvx512, kNeon, kAvxVnni, kAvx512Vnni, kNeonDot,
                          kAvx2Sign };

const char* Q8LeafName(Q8Leaf leaf);
// The leaves an available ISA's entry could use here, best first (empty when the ISA is not
// available); MicrokernelsFor(isa) uses the first.
std::vector<Q8Leaf> Q8LeavesFor(Isa isa);
// The leaf MicrokernelsFor(isa) uses (isa must be available).
Q8Leaf ActiveQ8Leaf(Isa isa);
// MicrokernelsFor(isa) with its int8 part from `leaf` (one of Q8LeavesFor(isa)): how the tests
// compare every leaf with ref, whichever the table chose.
Microkernels MicrokernelsWithQ8Leaf(Isa isa, Q8Leaf leaf);

}  // namespace mk

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_DISPATCH_H_
