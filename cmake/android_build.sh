#!/usr/bin/env bash
# Android builds with the NDK's own CMake toolchain file, one build tree per ABI:
#
#   ANDROID_NDK=$HOME/Android/Sdk/ndk/<version> cmake/android_build.sh [arm64-v8a] [armeabi-v7a]
#
# No ABI argument builds both. Artifacts (the "all" target) in build-android/<abi>/: the kernel
# and op libraries, the delegate plugin cc/tflite/libtflite_rnn_ops_delegate.so,
# bench/native/rnn_bench and, when GoogleTest sources are found, tests/native/tro_native_tests
# (push them with adb, docs/android.md).
#
# Environment (all optional except ANDROID_NDK):
#   ANDROID_PLATFORM  minimum API level, default android-26
#   BUILD_ROOT        where the build trees go, default <repo>/build-android
#   GTEST_SOURCE_DIR  GoogleTest sources for the test binary, default /usr/src/googletest
#                     (Debian's libgtest-dev); without them the test binary is skipped
#   JOBS              parallel compile jobs, default 2
#
# UNTESTED: this machine has no NDK. The same CMake tree is cross built and tested under qemu
# for aarch64 and armv7 Linux in CI (.ci/run).
set -euo pipefail

die() {
  echo "android_build.sh: $*" >&2
  exit 2
}

[[ -n "${ANDROID_NDK:-}" ]] || die "ANDROID_NDK is not set; point it at an NDK root," \
  "e.g. ANDROID_NDK=\$HOME/Android/Sdk/ndk/<version>"
toolchain="$ANDROID_NDK/build/cmake/android.toolchain.cmake"
[[ -f "$toolchain" ]] ||
  die "$toolchain not found: ANDROID_NDK=$ANDROID_NDK is not an NDK root (r23 or newer)"

root="$(cd "$(dirname "$0")/.." && pwd)"
build_root="${BUILD_ROOT:-$root/build-android}"
platform="${ANDROID_PLATFORM:-android-26}"
gtest="${GTEST_SOURCE_DIR:-/usr/src/googletest}"
abis=("$@")
[[ ${#abis[@]} -gt 0 ]] || abis=(arm64-v8a armeabi-v7a)

tests=ON
if [[ ! -f "$gtest/googletest/CMakeLists.txt" ]]; then
  echo "android_build.sh: no GoogleTest sources in $gtest (set GTEST_SOURCE_DIR);" \
    "building without tro_native_tests"
  tests=OFF
fi
generator=()
if command -v ninja > /dev/null; then generator=(-G Ninja); fi

for abi in "${abis[@]}"; do
  case "$abi" in
    arm64-v8a | armeabi-v7a) ;;
    *) die "unsupported ABI '$abi': expected arm64-v8a or armeabi-v7a" ;;
  esac
  build="$build_root/$abi"
  # c++_static: the plugin is dlopen'ed next to an interpreter that may bring its own STL.
  # armeabi-v7a: the NDK's own baseline (ARMv7-A, hard-float VFP, NEON).
  cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DANDROID_ABI="$abi" \
    -DANDROID_PLATFORM="$platform" \
    -DANDROID_STL=c++_static \
    -DCMAKE_BUILD_TYPE=Release \
    -DTFLITE_RNN_OPS_PYTHON=OFF \
    -DTFLITE_RNN_OPS_BUILD_TESTS="$tests" \
    -DTRO_GTEST_SOURCE_DIR="$gtest"
  cmake --build "$build" -j"${JOBS:-2}"
  echo "android_build.sh: $abi built in $build"
done
