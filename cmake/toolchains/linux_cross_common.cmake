# Shared by the Debian cross toolchain files: set TRO_CROSS_TRIPLE, TRO_CROSS_PROCESSOR and
# TRO_CROSS_QEMU, then include this file.
#
# Compilers are Debian's <triple>-gcc/g++ packages; the target's libraries live in /usr/<triple>,
# which is also the sysroot qemu-user needs (-L) to run the binaries here, so that ctest and the
# CI scripts run test binaries and rnn_bench through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${TRO_CROSS_PROCESSOR})

set(CMAKE_C_COMPILER ${TRO_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${TRO_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${TRO_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(TRO_QEMU_PROGRAM ${TRO_CROSS_QEMU})
if(TRO_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${TRO_QEMU_PROGRAM} -L /usr/${TRO_CROSS_TRIPLE})
else()
  # Building still works; only running the tests here needs qemu-user.
  message(STATUS "${TRO_CROSS_QEMU} not found (Debian: apt-get install qemu-user): "
                 "ctest cannot run the ${TRO_CROSS_PROCESSOR} binaries on this machine")
endif()
