#!/usr/bin/env bash
# Fuzzes lscan's input readers with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer:
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s each; targets: safetensors
#                                                      npy csv idx spec model surface)
# Builds in build-fuzz/ with Clang (apt-get install clang libomp-dev), starts every target from
# its seeds in fuzz/corpus/<target> and keeps what it finds in build-fuzz/corpus/<target>. An input
# that crashes, leaks, hangs (over 10 s) or breaks an invariant is saved in
# build-fuzz/artifacts/<target>/; copy it into fuzz/corpus/<target>/ with the fix, so that the
# tests replay it from then on.
set -u -o pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(safetensors npy csv idx spec model surface)

mkdir -p build-fuzz
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DLSCAN_FUZZ=ON -DLSCAN_BUILD_TESTS=OFF \
  -DLSCAN_BUILD_BENCHMARKS=OFF >build-fuzz/build.log 2>&1 || {
  cat build-fuzz/build.log
  exit 1
}
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >>build-fuzz/build.log 2>&1 || {
  tail -50 build-fuzz/build.log
  exit 1
}

failed=()
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/artifacts/$t"
  echo "== $t: ${seconds} s"
  extra=() asan=${ASAN_OPTIONS:-}
  # HDF5 (Debian's build, not instrumented) leaks a few metadata-cache blocks when it gives up on a
  # damaged file; those leaks are not lscan's, crashes and errors in lscan's code still count.
  if [[ $t == surface ]]; then
    extra=(-detect_leaks=0)
    asan=detect_leaks=0${asan:+:$asan}
  fi
  # One thread for OpenBLAS and OpenMP: the readers use neither, and the fuzzer runs one input
  # at a time.
  if ASAN_OPTIONS=$asan OMP_NUM_THREADS=1 TMPDIR=build-fuzz "build-fuzz/fuzz_$t" "build-fuzz/corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$t/" "${extra[@]}" >"build-fuzz/$t.log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/$t.log" | tr '\n' ' '
    echo
  else
    echo "   FAILED: build-fuzz/$t.log, input in build-fuzz/artifacts/$t/"
    grep -m3 -E "ERROR|invariant|terminate|what\(\)" "build-fuzz/$t.log"
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "no failures"
