// Instruction-set selection, decided once per process.
#ifndef TFLITE_RNN_OPS_KERNELS_DISPATCH_H_
#define TFLITE_RNN_OPS_KERNELS_DISPATCH_H_

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

}  // namespace mk

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_DISPATCH_H_
