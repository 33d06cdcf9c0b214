#!/usr/bin/env bash
# The checks that need a CUDA device, in one go:
#   1. build (CUDA on, benchmarks on) in build-gpu/
#   2. ctest -L gpu (and fails if any GPU test skipped: the device was not seen), ctest -L cpu
#   3. compute-sanitizer on a small `lscan scan --device cuda`: memcheck in every precision with
#      the data resident and streamed, racecheck in every precision, initcheck and synccheck in
#      fp32; memcheck on the GPU engine tests; memcheck, racecheck and initcheck on a small
#      `lscan train --device cuda` in one chunk and in many
#   4. bench_gpu_engine, bench_train, and benchmarks/peer_torch.py when torch is installed (its
#      check against lscan --device cuda on the same files, then its timings), and
#      benchmarks/compare_targets.py on their logs: each target met or missed
# Each step writes LOG_DIR/<step>.log; the summary lists the failed steps.
#
#   benchmarks/gpu_checks.sh LOG_DIR
# Environment: BUILD_DIR (default build-gpu), JOBS (default nproc), CUDA_ARCH (e.g. 90, 100;
# default: the CMake default), SANITIZER (default compute-sanitizer, or from the toolkit),
# PARTS (default "tests sanitizer sanitizer_tests bench": which of steps 2, 3 (sanitizer: the
# lscan runs; sanitizer_tests: memcheck on the GPU test suites) and 4 to run, so that a machine
# with a limit per command can take them in several calls).
#
# On a GPU machine without lscan's Debian packages, build the binaries elsewhere with
# scripts/device_bundle.sh and give the archive as PREBUILT=.device/lscan-device.tar.xz: steps 1
# and 2's ctest are then skipped (the GPU tests run straight from the test binary, the CPU tests
# too, less those that draw pictures, whose PLplot drivers stay behind), the rest is the same.
set -u -o pipefail

LOG=${1:?usage: benchmarks/gpu_checks.sh LOG_DIR}
mkdir -p "$LOG"
LOG=$(cd "$LOG" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-gpu}
JOBS=${JOBS:-$(nproc)}
SANITIZER=${SANITIZER:-$(command -v compute-sanitizer ||
  echo /usr/local/cuda/bin/compute-sanitizer)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failed=()

# step NAME COMMAND...: runs COMMAND with its output in LOG/NAME.log.
step() {
  local name=$1
  shift
  echo "== $name: $*"
  if "$@" >"$LOG/$name.log" 2>&1; then
    echo "   ok"
  else
    echo "   FAILED (exit $?): $LOG/$name.log"
    failed+=("$name")
  fi
}

{
  nvidia-smi || true
  nvcc --version || true
} >"$LOG/device.log" 2>&1

if [[ -n ${PREBUILT:-} ]]; then
  # The archive's bin/ finds its lib/ by RPATH; CUDA's runtime and cuBLAS come from this
  # machine's toolkit.
  step unpack tar -C "$WORK" -xJf "$PREBUILT"
  BUILD=$WORK/lscan-device/bin
  export LSCAN_BINARY=$BUILD/lscan LSCAN_TEST_DIR=$ROOT/tests LSCAN_PYTHON=$(command -v python3)
  { ldd "$BUILD/lscan_tests"; "$BUILD/lscan" --version; } >"$LOG/prebuilt.log" 2>&1
else
  step configure cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DLSCAN_BUILD_BENCHMARKS=ON ${CUDA_ARCH:+-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH}
  step build cmake --build "$BUILD" -j "$JOBS"
fi
if [[ ! -x "$BUILD/lscan" || ! -x "$BUILD/lscan_tests" ]]; then
  echo "build failed; nothing else to run"
  exit 1
fi
"$BUILD/lscan" --version >"$LOG/version.log" 2>&1

PARTS=" ${PARTS:-tests sanitizer sanitizer_tests bench} "
part() { [[ $PARTS == *" $1 "* ]]; }

if part tests; then
  [[ -z ${PREBUILT:-} ]] && step ctest_gpu bash -c "cd '$BUILD' && ctest -L gpu --output-on-failure"
  # A GPU test that skipped did not see the device: on this machine that is a failure.
  step gtest_gpu "$BUILD/lscan_tests" --gtest_filter='Gpu*'
  if grep -q "SKIPPED \]" "$LOG/gtest_gpu.log"; then
    echo "   GPU tests skipped: the device was not seen (see $LOG/gtest_gpu.log)"
    failed+=("gtest_gpu_skipped")
  fi
  if [[ -n ${PREBUILT:-} ]]; then
    step gtest_cpu "$BUILD/lscan_tests" --gtest_filter='-Gpu*:Plot*:*Plot*:*Demo*'
  else
    step ctest_cpu bash -c "cd '$BUILD' && ctest -L cpu --output-on-failure -j $JOBS"
  fi
fi

# A small trained model and its scans under the sanitizer.
cat >"$WORK/mlp.json" <<'EOF'
{"input_dim": 2, "layers": [{"type": "linear", "out": 16}, {"type": "tanh"},
 {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 3}],
 "loss": "cross_entropy"}
EOF
DATA="spirals:n=500,classes=3,seed=1"
step train "$BUILD/lscan" train --model "$WORK/mlp.json" --data "$DATA" --epochs 50 --device cpu \
  -q --out "$WORK/mlp"
if { part sanitizer || part sanitizer_tests; } && [[ ! -x "$SANITIZER" ]]; then
  echo "== sanitizer: $SANITIZER not found" | tee "$LOG/sanitizer.log"
  failed+=("sanitizer_missing")
fi
# sanitize TOOL PRECISION MEMORY: a 9 x 7 scan of the train and test sets under the sanitizer.
# MEMORY default: the data stays on the device; 16K: chunks of a few dozen samples, tiles of one
# point, and in fp32 and fp64 the data streams through the two chunk slots.
sanitize() {
  local tool=$1 prec=$2 mem=$3 extra=()
  [[ $mem != default ]] && extra=(--max-memory "$mem")
  step "sanitizer_${tool}_${prec}_${mem}" "$SANITIZER" --tool "$tool" --error-exitcode 99 \
    "$BUILD/lscan" scan --model "$WORK/mlp.json" --weights "$WORK/mlp.safetensors" \
    --data "$DATA" --test-fraction 0.2 --x -1:1:9 --y -1:1:7 --device cuda \
    --precision "$prec" "${extra[@]}" -q --out "$WORK/s_${tool}_${prec}_${mem}.h5"
}
if part sanitizer && [[ -x "$SANITIZER" ]]; then
  for prec in fp32 fp64 tf32 bf16; do
    for mem in default 16K; do sanitize memcheck "$prec" "$mem"; done
    sanitize racecheck "$prec" default
  done
  for mem in default 16K; do
    sanitize initcheck fp32 "$mem"
    sanitize synccheck fp32 "$mem"
  done
  # Training on the device: the data in one chunk, and (64K) in chunks of about 60 samples.
  for tool in memcheck racecheck initcheck; do
    for mem in default 64K; do
      extra=()
      [[ $mem != default ]] && extra=(--max-memory "$mem")
      step "sanitizer_train_${tool}_${mem}" "$SANITIZER" --tool "$tool" --error-exitcode 99 \
        "$BUILD/lscan" train --model "$WORK/mlp.json" --data "$DATA" --test-fraction 0.2 \
        --epochs 5 --device cuda "${extra[@]}" -q --out "$WORK/t_${tool}_${mem}"
    done
  done
fi

# memcheck on the GPU test suites: the slowest sanitizer step, a part of its own.
if part sanitizer_tests && [[ -x "$SANITIZER" ]]; then
  step sanitizer_memcheck_tests "$SANITIZER" --tool memcheck --error-exitcode 99 \
    "$BUILD/lscan_tests" --gtest_filter='Gpu/Engine*:GpuVsCpu*:GpuTrain*'
fi

if part bench; then
  step bench_gpu_engine "$BUILD/bench_gpu_engine"
  step bench_train "$BUILD/bench_train"
  if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
    # First that PyTorch computes lscan's function on the same files (lscan on the GPU), then
    # the timings; two steps, so that a failed check does not cost the timings.
    step peer_torch_check python3 "$ROOT/benchmarks/peer_torch.py" --check-lscan "$BUILD/lscan" \
      --precisions fp32 --grid 5 --loop-points 5 --runs 1
    step peer_torch python3 "$ROOT/benchmarks/peer_torch.py"
    # The issue's targets, judged from the two logs.
    step targets python3 "$ROOT/benchmarks/compare_targets.py" "$LOG/bench_gpu_engine.log" \
      "$LOG/peer_torch.log"
  else
    echo "== peer_torch: skipped (python3 has no torch with CUDA)" | tee "$LOG/peer_torch.log"
  fi
fi

echo
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]} (logs in $LOG)"
  exit 1
fi
echo "all GPU checks passed (logs in $LOG)"
