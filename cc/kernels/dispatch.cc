#include "cc/kernels/dispatch.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_leaves.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#define TRO_X86_HOST 1
#endif

#if defined(__arm__) && defined(__linux__)
#include <asm/hwcap.h>  // HWCAP_NEON, HWCAP_VFPv4 (Linux uapi; glibc and Bionic ship it)
#include <sys/auxv.h>
#define TRO_ARM32_LINUX 1
#endif

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)  // Linux uapi asm/hwcap.h, arm64 (since 4.15)
#endif
#define TRO_ARM64_LINUX 1
#endif

namespace tflite_rnn_ops {
namespace {

#if defined(TRO_X86_HOST)
struct CpuidRegs {
  unsigned a = 0, b = 0, c = 0, d = 0;
};

CpuidRegs Cpuid(unsigned leaf, unsigned subleaf) {
  CpuidRegs r;
#if defined(_MSC_VER)
  int regs[4];
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(subleaf));
  r.a = regs[0], r.b = regs[1], r.c = regs[2], r.d = regs[3];
#else
  __cpuid_count(leaf, subleaf, r.a, r.b, r.c, r.d);
#endif
  return r;
}

// XGETBV without needing -mxsave on this (baseline) file.
unsigned long long Xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
#endif
}

struct X86Features {
  bool avx2_fma = false;
  bool avx512f = false;
  bool avx512bw = false;    // vpmaddwd zmm (the avx512 int8 leaf)
  bool avx512vnni = false;  // vpdpbusd zmm
  bool avxvnni = false;     // VEX vpdpbusd ymm
};

// The CPU flag alone is not enough: the OS must save the wide registers (XCR0), or the first
// AVX instruction faults.
X86Features DetectX86() {
  X86Features f;
  if (Cpuid(0, 0).a < 7) return f;
  const CpuidRegs l1 = Cpuid(1, 0);
  const bool osxsave = (l1.c >> 27) & 1;
  const bool avx = (l1.c >> 28) & 1;
  const bool fma = (l1.c >> 12) & 1;
  const bool f16c = (l1.c >> 29) & 1;  // float16 weights; every AVX2 CPU has it
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = Xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;           // SSE + AVX
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;         // + opmask, ZMM_Hi256, Hi16_ZMM
  const CpuidRegs l7 = Cpuid(7, 0);
  const bool avx2 = (l7.b >> 5) & 1;
  const bool avx512f = (l7.b >> 16) & 1;
  const bool avx512bw = (l7.b >> 30) & 1;
  const bool avx512vnni = (l7.c >> 11) & 1;
  // Subleaf 1 exists when subleaf 0 reports a maximum subleaf >= 1.
  const bool avxvnni = l7.a >= 1 && ((Cpuid(7, 1).a >> 4) & 1);
  f.avx2_fma = ymm_state && avx2 && fma && f16c;
  f.avx512f = f.avx2_fma && zmm_state && avx512f;
  f.avx512bw = f.avx512f && avx512bw;
  f.avx512vnni = f.avx512bw && avx512vnni;
  f.avxvnni = f.avx2_fma && avxvnni;
  return f;
}

const X86Features& HostX86() {
  static const X86Features features = DetectX86();
  return features;
}
#endif  // TRO_X86_HOST

#if defined(TRO_ARM32_LINUX)
// The NEON files are built with -mfpu=neon-vfpv4 (vector FMA) and this file is not: ask the
// kernel, since some ARMv7 cores have no NEON and older ones NEON without VFPv4 (Cortex-A8/A9).
bool HostHasNeonVfpv4() {
  static const bool has = [] {
    const unsigned long hwcap = getauxval(AT_HWCAP);
    return (hwcap & HWCAP_NEON) != 0 && (hwcap & HWCAP_VFPv4) != 0;
  }();
  return has;
}
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
// The sdot leaf's files are built with -march=armv8.2-a+dotprod and this file is not.
bool HostHasDotProd() {
#if defined(TRO_ARM64_LINUX)
  static const bool has = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  return has;
#elif defined(__ARM_FEATURE_DOTPROD)
  return true;  // not Linux: only a baseline that already requires it
#else
  return false;
#endif
}
#endif

bool CpuSupports(Isa isa) {
  switch (isa) {
    case Isa::kRef:
      return true;
#if defined(TRO_X86_HOST)
    case Isa::kAvx2:
      return HostX86().avx2_fma;
    case Isa::kAvx512:
      return HostX86().avx512f;
#endif
    case Isa::kNeon:
#if defined(__aarch64__) || defined(_M_ARM64)
      return true;  // Advanced SIMD with FMA is mandatory on AArch64.
#elif defined(TRO_ARM32_LINUX)
      return HostHasNeonVfpv4();
#elif defined(__arm__) && defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
      return true;  // not Linux: trust a baseline that already requires NEON + VFPv4
#else
      return false;
#endif
    default:
      return false;
  }
}

// ---- int8 leaves (dispatch.h, Q8Leaf) --------------------------------------------------------
struct Q8LeafFns {
  int k_group = 0;
  int act_bytes = 0;
  mk::QuantizeRowsFn quantize_rows = nullptr;  // null: not in this build
  mk::Q8GemmFn q8_gemm = nullptr;
};

#define TRO_Q8_FNS(rows_isa, gemm_leaf) \
  Q8LeafFns { mk::kQ8KGroup_##rows_isa, mk::kQ8ActBytes_##rows_isa, mk::quantize_rows_##rows_isa, \
              mk::q8_gemm_##gemm_leaf }

Q8LeafFns LeafFns(mk::Q8Leaf leaf) {
  switch (leaf) {
    case mk::Q8Leaf::kRef:
      return TRO_Q8_FNS(ref, ref);
#if defined(TRO_HAVE_AVX2)
    case mk::Q8Leaf::kAvx2:
      return TRO_Q8_FNS(avx2, avx2);
#endif
#if defined(TRO_HAVE_Q8_AVX2SIGN)
    case mk::Q8Leaf::kAvx2Sign:
      return TRO_Q8_FNS(avx2sign, avx2sign);
#endif
#if defined(TRO_HAVE_Q8_AVXVNNI) && defined(TRO_HAVE_Q8_AVX2SIGN)
    case mk::Q8Leaf::kAvxVnni:
      return TRO_Q8_FNS(avx2sign, avxvnni);
#endif
#if defined(TRO_HAVE_AVX512)
    case mk::Q8Leaf::kAvx512:
      return TRO_Q8_FNS(avx512, avx512);
#endif
#if defined(TRO_HAVE_Q8_AVX512VNNI) && defined(TRO_HAVE_Q8_AVX2SIGN)
    case mk::Q8Leaf::kAvx512Vnni:
      return TRO_Q8_FNS(avx2sign, avx512vnni);
#endif
#if defined(TRO_HAVE_NEON)
    case mk::Q8Leaf::kNeon:
      return TRO_Q8_FNS(neon, neon);
#endif
#if defined(TRO_HAVE_Q8_NEONDOT)
    case mk::Q8Leaf::kNeonDot:
      return TRO_Q8_FNS(neondot, neondot);
#endif
    default:
      return {};
  }
}
#undef TRO_Q8_FNS

bool CpuRunsLeaf(mk::Q8Leaf leaf) {
  switch (leaf) {
    case mk::Q8Leaf::kRef:
      return true;
    case mk::Q8Leaf::kAvx2:
    case mk::Q8Leaf::kAvx2Sign:
      return CpuSupports(Isa::kAvx2);
    case mk::Q8Leaf::kNeon:
      return CpuSupports(Isa::kNeon);
#if defined(TRO_X86_HOST)
    case mk::Q8Leaf::kAvxVnni:
      return HostX86().avxvnni;
    case mk::Q8Leaf::kAvx512:
      return HostX86().avx512bw;
    case mk::Q8Leaf::kAvx512Vnni:
      return HostX86().avx512vnni;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case mk::Q8Leaf::kNeonDot:
      return HostHasDotProd();
#endif
    default:
      return false;
  }
}

// The leaves an ISA's entry can take, best first. The avx512 entry falls back to the AVX2
// leaves (which run on its 16-wide panels as two 8-column accumulators) on AVX-512F without BW.
// avx2 stays listed after avx2sign, which every AVX2 CPU runs, so the tests still reach it.
std::vector<mk::Q8Leaf> LeafCandidates(Isa isa) {
  using L = mk::Q8Leaf;
  switch (isa) {
    case Isa::kRef:
      return {L::kRef};
    case Isa::kAvx2:
      return {L::kAvxVnni, L::kAvx2Sign, L::kAvx2};
    case Isa::kAvx512:
      return {L::kAvx512Vnni, L::kAvx512, L::kAvx2Sign, L::kAvx2};
    case Isa::kNeon:
      return {L::kNeonDot, L::kNeon};
  }
  return {};
}

std::vector<mk::Q8Leaf> RunnableLeaves(Isa isa) {
  std::vector<mk::Q8Leaf> out;
  for (mk::Q8Leaf leaf : LeafCandidates(isa)) {
    if (LeafFns(leaf).q8_gemm != nullptr && CpuRunsLeaf(leaf)) out.push_back(leaf);
  }
  return out;
}

void UseLeaf(mk::Q8Leaf leaf, mk::Microkernels* k) {
  const Q8LeafFns f = LeafFns(leaf);
  k->q8_k_group = f.k_group;
  k->q8_act_bytes = f.act_bytes;
  k->quantize_rows = f.quantize_rows;
  k->q8_gemm = f.q8_gemm;
}

// Adding a microkernel kind means adding it here once; the per-ISA lines stay unchanged.
#define TRO_ENTRY(isa_enum, isa)                                                            \
  mk::Microkernels {                                                                        \
    Isa::isa_enum, mk::kVec_##isa, mk::f32_gemm_##isa, mk::f32_lstm_cell_##isa,             \
        mk::f32_lstm_cell_extras_##isa, mk::f32_gru_cell_##isa, mk::f32_rnn_cell_##isa,      \
        mk::f32_activation_##isa, mk::kQ8KGroup_##isa, mk::kQ8ActBytes_##isa,                \
        mk::quantize_rows_##isa, mk::q8_gemm_##isa, mk::f16_gemm_##isa                       \
  }

// Indexed by Isa; a null gemm marks an ISA that this build does not contain.
const mk::Microkernels* Table() {
  static mk::Microkernels table[] = {
      TRO_ENTRY(kRef, ref),
#if defined(TRO_HAVE_AVX2)
      TRO_ENTRY(kAvx2, avx2),
#else
      mk::Microkernels{Isa::kAvx2},
#endif
#if defined(TRO_HAVE_AVX512)
      TRO_ENTRY(kAvx512, avx512),
#else
      mk::Microkernels{Isa::kAvx512},
#endif
#if defined(TRO_HAVE_NEON)
      TRO_ENTRY(kNeon, neon),
#else
      mk::Microkernels{Isa::kNeon},
#endif
  };
  // Each built ISA's entry takes the best int8 leaf this CPU runs (its own when none better).
  static const bool leaves_chosen = [] {
    for (mk::Microkernels& k : table) {
      const std::vector<mk::Q8Leaf> leaves = RunnableLeaves(k.isa);
      if (k.gemm != nullptr && !leaves.empty()) UseLeaf(leaves.front(), &k);
    }
    return true;
  }();
  (void)leaves_chosen;
  return table;
}
#undef TRO_ENTRY

constexpr Isa kBestFirst[] = {Isa::kAvx512, Isa::kAvx2, Isa::kNeon, Isa::kRef};

Isa DecideIsa() {
  if (const char* env = std::getenv("TFLITE_RNN_OPS_ISA")) {
    Isa requested;
    if (IsaFromName(env, &requested) && IsaAvailable(requested)) return requested;
  }
  for (Isa isa : kBestFirst) {
    if (IsaAvailable(isa)) return isa;
  }
  return Isa::kRef;
}

}  // namespace

bool IsaAvailable(Isa isa) {
  const int index = static_cast<int>(isa);
  if (index < 0 || index > static_cast<int>(Isa::kNeon)) return false;
  return Table()[index].gemm != nullptr && CpuSupports(isa);
}

Isa ActiveIsa() {
  static const Isa active = DecideIsa();
  return active;
}

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kRef:
      return "ref";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kNeon:
      return "neon";
  }
  return "unknown";
}

bool IsaFromName(const char* name, Isa* out) {
  if (name == nullptr) return false;
  for (Isa isa : {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    if (std::strcmp(name, IsaName(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

namespace mk {

const Microkernels& MicrokernelsFor(Isa isa) {
  assert(IsaAvailable(isa));
  return Table()[static_cast<int>(isa)];
}

const char* Q8LeafName(Q8Leaf leaf) {
  switch (leaf) {
    case Q8Leaf::kRef:
      return "ref";
    case Q8Leaf::kAvx2:
      return "avx2";
    case Q8Leaf::kAvx512:
      return "avx512";
    case Q8Leaf::kNeon:
      return "neon";
    case Q8Leaf::kAvxVnni:
      return "avxvnni";
    case Q8Leaf::kAvx512Vnni:
      return "avx512vnni";
    case Q8Leaf::kNeonDot:
      return "neondot";
    case Q8Leaf::kAvx2Sign:
      return "avx2sign";
  }
  return "unknown";
}

std::vector<Q8Leaf> Q8LeavesFor(Isa isa) {
  if (!IsaAvailable(isa)) return {};
  return RunnableLeaves(isa);
}

Q8Leaf ActiveQ8Leaf(Isa isa) {
  const Microkernels& k = MicrokernelsFor(isa);
  for (Q8Leaf leaf : LeafCandidates(isa)) {
    if (LeafFns(leaf).q8_gemm == k.q8_gemm) return leaf;
  }
  assert(false && "the table holds an int8 leaf of another ISA");
  return Q8Leaf::kRef;
}

Microkernels MicrokernelsWithQ8Leaf(Isa isa, Q8Leaf leaf) {
  Microkernels k = MicrokernelsFor(isa);
  assert(LeafFns(leaf).q8_gemm != nullptr && CpuRunsLeaf(leaf));
  UseLeaf(leaf, &k);
  return k;
}

}  // namespace mk
}  // namespace tflite_rnn_ops
