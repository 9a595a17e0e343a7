#!/usr/bin/env bash
# Reliability stages (issue 11), run after .ci/run's deps stage on a clean clone:
#   fuzz            every fuzzer for FUZZ_SECONDS each (default 30): options parser, ops, Python
#                   model readers (tests/fuzz/run_fuzzers.sh)
#   asan-ubsan      the native tests built with clang -fsanitize=address,undefined, asserts on
#   tsan            the threaded-kernel tests built with clang -fsanitize=thread
#   asan-delegate   the delegate plugin built with ASan+UBSan, loaded (LD_PRELOAD of libasan) by
#                   the pip LiteRT interpreter under a subset of the Python tests
# Zero sanitizer reports is the pass condition: reports abort the process (no recovery) and are
# also written to log files that the stage checks for. Needs Debian's clang (plus .ci/run's
# packages) and a Python venv: VENV (default .venv-ci, made by .ci/run's python stage; made here
# with pip install ".[test]" atheris if missing). Usage: .ci/reliability.sh [STAGE...]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build="$(realpath -m "${BUILD_DIR:-build-ci/reliability}")"
venv="${VENV:-.venv-ci}"
fuzz_seconds="${FUZZ_SECONDS:-30}"
logs="$build/sanitizer-logs"
mkdir -p "$build" "$logs"

summary=()
# Each stage function runs in a child bash: set -e is ignored inside a function called as
# `fn || rc=$?`, the child keeps it (any failing command fails the stage).
if [[ ${1:-} == __stage ]]; then
  stage_fn="$2"
fi

stage() {  # stage NAME FUNCTION: as in .ci/run, one summary line per stage
  local name="$1" start=$SECONDS rc=0
  echo "== $name"
  bash "$0" __stage "$2" || rc=$?
  local line
  line="$(printf '%-14s %s (%ds)' "$name" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)" \
          $((SECONDS - start)))"
  summary+=("$line")
  echo "$line"
  if [[ $rc -ne 0 ]]; then
    printf '%s\n' "== summary" "${summary[@]}"
    exit "$rc"
  fi
}

python_env() {  # the venv with this package, the test extras and atheris
  if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet ".[test]"
  fi
  "$venv/bin/python" -c "import atheris" 2> /dev/null || "$venv/bin/pip" install --quiet atheris
}

# No report files may exist after a sanitized run (each process writes <prefix>.<pid>).
no_reports() {
  local found
  found="$(find "$logs" -name "$1.*" -type f | head -n 5)"
  if [[ -n $found ]]; then
    echo "sanitizer reports:" >&2
    for f in $found; do head -n 40 "$f" >&2; done
    return 1
  fi
  echo "sanitizer reports: 0"
}

configure() {  # configure DIR EXTRA_FLAGS... (clang, -O1 -g, asserts kept)
  local dir="$1" flags="$2"
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_CXX_FLAGS=$flags" \
    -DTFLITE_RNN_OPS_BUILD_BENCH=OFF "$@" > /dev/null
}

# One clang build serves the fuzz and asan-ubsan stages: the fuzzer option instruments every
# target (the native tests too) with ASan+UBSan and keeps asserts on.
configure_asan() {
  configure "$build/asan" "" -DTFLITE_RNN_OPS_BUILD_FUZZERS=ON -DTFLITE_RNN_OPS_BUILD_TESTS=ON
}

fuzz() {
  python_env
  configure_asan
  PYTHON="$(realpath "$venv")/bin/python" tests/fuzz/run_fuzzers.sh "$fuzz_seconds" "$build/asan"
}

asan_ubsan() {
  configure_asan
  cmake --build "$build/asan" -j2 --target tro_native_tests > /dev/null
  rm -f "$logs"/asan.*
  ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/asan" \
    "$build/asan/tests/native/tro_native_tests" --gtest_brief=1 | tail -n 3
  no_reports asan
}

tsan() {
  configure "$build/tsan" "-fsanitize=thread -fno-omit-frame-pointer"
  cmake --build "$build/tsan" -j2 --target tro_thread_tests > /dev/null
  rm -f "$logs"/tsan.*
  TSAN_OPTIONS="halt_on_error=1:log_path=$logs/tsan" \
    "$build/tsan/tests/native/tro_thread_tests" --gtest_brief=1 | tail -n 3
  no_reports tsan
}

# The pip interpreter is not instrumented, so libasan must come first in the process: LD_PRELOAD,
# with libstdc++ (python itself does not link it, and ASan must see its __cxa_throw at start-up).
# A copy of the installed package with the ASan delegate in it goes first on PYTHONPATH, so the
# venv itself is left alone. Leak checking stays off: Python and TensorFlow free little at exit;
# the RSS cycle test is left out too (ASan's quarantine keeps freed memory resident by design).
asan_delegate() {
  python_env
  cmake -S . -B "$build/asan-delegate" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -DTFLITE_RNN_OPS_BUILD_TESTS=OFF -DTFLITE_RNN_OPS_BUILD_BENCH=OFF > /dev/null
  cmake --build "$build/asan-delegate" -j2 --target tflite_rnn_ops_delegate > /dev/null
  local site package
  site="$build/asan-delegate/site"
  package="$("$venv/bin/python" -c 'import os, tflite_rnn_ops; print(os.path.dirname(tflite_rnn_ops.__file__))')"
  rm -rf "$site" && mkdir -p "$site"
  cp -r "$package" "$site/tflite_rnn_ops"
  cp "$build/asan-delegate/cc/tflite/libtflite_rnn_ops_delegate.so" "$site/tflite_rnn_ops/"
  rm -f "$logs"/asan-delegate.*
  PYTHONPATH="$site" LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libstdc++.so.6)" \
  ASAN_OPTIONS="detect_leaks=0:log_path=$logs/asan-delegate" \
  UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/asan-delegate" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider \
      tests/python/test_errors.py tests/python/test_errors_v2.py \
      tests/python/test_reliability_validation.py tests/python/test_lifetime.py \
      tests/python/test_concurrency.py tests/python/test_threads_e2e.py \
      --deselect tests/python/test_lifetime.py::test_create_invoke_destroy_cycles_keep_rss_flat |
    tail -n 3
  PYTHONPATH="$site" "$venv/bin/python" - "$site" << 'EOF'
import sys
import tflite_rnn_ops as tro
# The run above must have used the ASan build, not the venv's plugin.
assert tro.delegate_library_path().startswith(sys.argv[1]), tro.delegate_library_path()
EOF
  no_reports asan-delegate
}

if [[ -n ${stage_fn:-} ]]; then
  "$stage_fn"
  exit 0
fi

stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(fuzz asan-ubsan tsan asan-delegate)
for s in "${stages[@]}"; do
  case "$s" in
    fuzz) stage fuzz fuzz ;;
    asan-ubsan) stage asan-ubsan asan_ubsan ;;
    tsan) stage tsan tsan ;;
    asan-delegate) stage asan-delegate asan_delegate ;;
    *) echo "unknown stage $s (fuzz, asan-ubsan, tsan, asan-delegate)" >&2; exit 2 ;;
  esac
done
printf '%s\n' "== summary" "${summary[@]}"
