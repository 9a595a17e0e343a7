# 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu; tests run under qemu-aarch64.
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# Advanced SIMD (NEON) with FMA is part of the ARMv8-A baseline: no extra flags.
set(TRO_CROSS_TRIPLE aarch64-linux-gnu)
set(TRO_CROSS_PROCESSOR aarch64)
set(TRO_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux_cross_common.cmake)
