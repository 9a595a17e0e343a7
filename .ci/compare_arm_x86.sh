#!/usr/bin/env bash
# ARM-vs-x86 equality: runs tro_parity_dump (every cell form on the same deterministic inputs)
# on x86 with the ref path and under qemu on each ARM build with its default path (NEON once
# the NEON microkernels exist), then compares each ARM dump with the x86 one within 1e-5.
#
#   .ci/compare_arm_x86.sh build-x86 build-aarch64 build-armv7
set -euo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: $0 X86_BUILD_DIR AARCH64_BUILD_DIR ARMV7_BUILD_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
dump=tests/native/tro_parity_dump
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$1/$dump" --isa ref > "$out/x86_ref.txt"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$2/$dump" > "$out/aarch64.txt"
qemu-arm -L /usr/arm-linux-gnueabihf "$3/$dump" > "$out/armv7.txt"

status=0
for target in aarch64 armv7; do
  python3 "$here/compare_parity.py" "$out/x86_ref.txt" "$out/$target.txt" --atol 1e-5 || status=1
done
exit $status
