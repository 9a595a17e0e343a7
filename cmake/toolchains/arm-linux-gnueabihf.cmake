# 32-bit ARM Linux (armhf) with Debian's g++-arm-linux-gnueabihf; tests run under qemu-arm.
#   cmake -S . -B build-armv7 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
# Debian's armhf baseline: ARMv7-A, hard float, VFPv3-D16 and no NEON, because some 32-bit
# cores have none. Only the NEON microkernel files (cc/kernels/isa/*_neon.cc) are compiled with
# -mfpu=neon-vfpv4, and dispatch picks them at run time from AT_HWCAP.
set(TRO_CROSS_TRIPLE arm-linux-gnueabihf)
set(TRO_CROSS_PROCESSOR armv7l)  # what uname -m reports on such a board
set(TRO_CROSS_QEMU qemu-arm)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16")
include(${CMAKE_CURRENT_LIST_DIR}/linux_cross_common.cmake)
