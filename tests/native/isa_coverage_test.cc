// The driver tests run on AvailableIsas(); this checks that list holds what this build and CPU
// should offer, so a SIMD path cannot silently drop out of the tests (or out of dispatch).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "tests/native/support/cases.h"

#if defined(__arm__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace tro_test {
namespace {

bool Has(const std::vector<Isa>& isas, Isa isa) {
  return std::find(isas.begin(), isas.end(), isa) != isas.end();
}

// Whether the CPU can run the NEON microkernels: always on AArch64; on 32-bit ARM only with
// NEON and VFPv4 (the kernels are built with -mfpu=neon-vfpv4), which some cores lack.
bool CpuHasNeonVfpv4() {
#if defined(__aarch64__)
  return true;
#elif defined(__arm__) && defined(__linux__)
  constexpr unsigned long kHwcapNeon = 1ul << 12;   // HWCAP_NEON in <asm/hwcap.h>
  constexpr unsigned long kHwcapVfpv4 = 1ul << 16;  // HWCAP_VFPv4
  const unsigned long hwcap = getauxval(AT_HWCAP);
  return (hwcap & kHwcapNeon) && (hwcap & kHwcapVfpv4);
#else
  return false;
#endif
}

TEST(IsaCoverage, ExpectedPathsAreAvailable) {
  const std::vector<Isa> isas = AvailableIsas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), Isa::kRef);
  EXPECT_TRUE(Has(isas, tflite_rnn_ops::ActiveIsa()));
  std::string names;
  for (Isa isa : isas) {
    names += std::string(names.empty() ? "" : ", ") + tflite_rnn_ops::IsaName(isa);
  }
  std::printf("driver tests run on: %s (default path: %s)\n", names.c_str(),
              tflite_rnn_ops::IsaName(tflite_rnn_ops::ActiveIsa()));
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_TRUE(Has(isas, Isa::kAvx2)) << "the CPU has AVX2+FMA but the avx2 path is missing";
  }
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_TRUE(Has(isas, Isa::kAvx512)) << "the CPU has AVX-512F but the avx512 path is missing";
  }
#endif
#if defined(TRO_TEST_EXPECT_NEON)
  // Set by tests/native/CMakeLists.txt for ARM targets.
  EXPECT_EQ(Has(isas, Isa::kNeon), CpuHasNeonVfpv4())
      << "neon must be offered exactly when the CPU has NEON (+VFPv4 on 32-bit ARM)";
#endif
}

}  // namespace
}  // namespace tro_test
