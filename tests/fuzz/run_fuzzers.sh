#!/usr/bin/env bash
# Runs every fuzzer for SECONDS each (default 60) and prints executions per target.
#   tests/fuzz/run_fuzzers.sh [SECONDS] [BUILD_DIR]
# BUILD_DIR holds a configure with -DTFLITE_RNN_OPS_BUILD_FUZZERS=ON and clang (built here if
# missing, default build-fuzz). The Python target needs a python with atheris and this package
# installed (PYTHON, default python3). New corpus units go to a scratch directory; the committed
# seeds in tests/fuzz/corpus are only read. A crash leaves its input in the scratch directory,
# prints it and fails the script.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
build="$(realpath -m "${2:-build-fuzz}")"
python="${PYTHON:-python3}"
scratch="$(mktemp -d /tmp/tro-fuzz.XXXXXX)"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTFLITE_RNN_OPS_BUILD_FUZZERS=ON -DTFLITE_RNN_OPS_BUILD_TESTS=OFF \
    -DTFLITE_RNN_OPS_BUILD_BENCH=OFF > /dev/null
fi
cmake --build "$build" -j2 --target tro_options_fuzzer tro_op_fuzzer > /dev/null

# run NAME SEEDS COMMAND...: the scratch directory comes first, so libFuzzer writes new units
# there; libFuzzer prints "Done N runs in S second(s)" at the end of a clean run.
failed=0
run() {
  local name="$1" seeds="$2" log="$scratch/$1.log" rc=0
  shift 2
  mkdir -p "$scratch/$name"
  (cd "$scratch" && "$@" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
     -artifact_prefix="$scratch/$name-" "$scratch/$name" "$seeds" > "$log" 2>&1) || rc=$?
  local done_line
  done_line="$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)"
  if [[ $rc -ne 0 || -z $done_line ]]; then
    echo "fuzz $name: FAILED (exit $rc), log and crash input in $scratch:" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error|Error' "$log" | head -n 20 >&2 || true
    failed=1
    return
  fi
  local runs="${done_line#Done }"
  printf 'fuzz %-14s %9s executions in %ss, %s new corpus units\n' "$name" "${runs%% *}" \
    "$seconds" "$(find "$scratch/$name" -type f | wc -l)"
}

corpus="$PWD/tests/fuzz/corpus"
run options "$corpus/options" "$build/tests/fuzz/tro_options_fuzzer"
run op "$corpus/op" "$build/tests/fuzz/tro_op_fuzzer"
run model_readers "$corpus/models" "$python" "$PWD/tests/fuzz/model_readers_fuzzer.py"
if [[ $failed -ne 0 ]]; then exit 1; fi
rm -rf "$scratch"
