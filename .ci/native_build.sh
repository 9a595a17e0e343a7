#!/usr/bin/env bash
# One native-only build (no Python, pybind11 or TensorFlow) and its ctest run: this machine, or
# a cross build whose toolchain file runs the tests under qemu-user.
#
#   .ci/native_build.sh BUILD_DIR [TOOLCHAIN_FILE]
# Prints one "ctest:" summary line (ctest's own "N% tests passed ..." line).
set -euo pipefail
build="$1"
toolchain="${2:-}"
args=(-S . -B "$build" -DTFLITE_RNN_OPS_PYTHON=OFF -DCMAKE_BUILD_TYPE=Release)
if command -v ninja > /dev/null; then args+=(-G Ninja); fi
if [[ -n "$toolchain" ]]; then args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain"); fi

cmake "${args[@]}" > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j2 > "$build.build.log" 2>&1 || { tail -n 60 "$build.build.log"; exit 1; }
if ! ctest --test-dir "$build" -j2 --output-on-failure > "$build/ctest.log" 2>&1; then
  tail -n 80 "$build/ctest.log"
  exit 1
fi
echo "ctest: $(grep -E 'tests passed' "$build/ctest.log")"
