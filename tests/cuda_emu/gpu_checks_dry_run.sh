#!/usr/bin/env bash
# benchmarks/gpu_checks.sh, which only a GPU machine runs for real, run here through its PREBUILT
# path against the emulated device: a bundle whose lscan is lscan_emu, whose test and benchmark
# programs are the emulated ones on small problems, and a compute-sanitizer stand-in that checks
# its arguments and runs the program. What this shows: every lscan command line of the script is
# still valid, each step runs and logs, and the summary reports failures: a second run, whose GPU
# tests skip and whose racecheck fails, must exit 1 naming exactly those steps.
#
#   tests/cuda_emu/gpu_checks_dry_run.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: gpu_checks_dry_run.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=$WORK/lscan-device/bin
mkdir -p "$BIN"

# wrapper NAME BODY: an executable script in the bundle's bin/.
wrapper() {
  printf '#!/usr/bin/env bash\n%s\n' "$2" >"$BIN/$1"
  chmod +x "$BIN/$1"
}
wrapper lscan "exec '$BUILD/lscan_emu' \"\$@\""
# GPU test filters (Gpu*) run an emulated whole-run test, or skip when DRY_RUN_SKIP is set; the
# CPU tests one quick CLI test: the script's flow is under test here, not the suites.
wrapper lscan_tests "case \"\$1\" in
  --gtest_filter=Gpu*)
    if [[ -n \${DRY_RUN_SKIP:-} ]]; then echo '[  SKIPPED ] Gpu.Something'; exit 0; fi
    exec '$BUILD/lscan_emu_tests' --gtest_filter='EmuCli.DeviceChoiceAndErrors' ;;
  *) exec '$BUILD/lscan_tests' --gtest_filter='Cli.HelpAndUsage' ;;
esac"
wrapper bench_gpu_engine "exec '$BUILD/bench_gpu_engine_emu' --samples 64 --grid 3 --runs 1 \
--models 784-128-10"
wrapper bench_train "exec '$BUILD/bench_train_emu' --samples 200 --runs 1 --models 20-16-8-4"
wrapper bench_cpu_engine "exit 0"
wrapper bench_analysis "exit 0"
tar -C "$WORK" -cJf "$WORK/bundle.tar.xz" lscan-device

# compute-sanitizer's stand-in: --tool T --error-exitcode N PROGRAM ARGS...; DRY_RUN_FAIL_TOOL
# names a tool that reports an error.
cat >"$WORK/sanitizer" <<'EOF'
#!/usr/bin/env bash
[[ $# -ge 5 && $1 == --tool && $3 == --error-exitcode ]] || { echo "bad arguments: $*"; exit 97; }
[[ $2 == "${DRY_RUN_FAIL_TOOL:-}" ]] && { echo "========= ERROR SUMMARY: 1 error"; exit "$4"; }
tool=$2
shift 4
"$@"
code=$?  # the program's own exit code, as compute-sanitizer passes it on
echo "========= $tool: ERROR SUMMARY: 0 errors"
exit $code
EOF
chmod +x "$WORK/sanitizer"

run_checks() {  # LOG_DIR: the script's output in LOG_DIR.out, its exit code echoed
  local code=0
  PREBUILT=$WORK/bundle.tar.xz SANITIZER=$WORK/sanitizer bash "$ROOT/benchmarks/gpu_checks.sh" \
    "$1" >"$1.out" 2>&1 || code=$?
  echo "$code"
}
fail() {
  echo "gpu_checks_dry_run: $*"
  exit 1
}

code=$(run_checks "$WORK/pass")
[[ $code == 0 ]] || { cat "$WORK/pass.out"; fail "the passing run exited with $code"; }
grep -q "all GPU checks passed" "$WORK/pass.out" || fail "no summary line"
steps=$(grep -c '^   ok$' "$WORK/pass.out")
# unpack, gtest_gpu, gtest_cpu, train, 16 scans under the sanitizer, 6 training runs, the tests
# under memcheck, two benchmarks: 29 steps.
[[ $steps == 29 ]] || { cat "$WORK/pass.out"; fail "$steps steps passed, 29 expected"; }
for log in sanitizer_memcheck_fp64_16K sanitizer_train_initcheck_64K sanitizer_memcheck_tests; do
  grep -q "ERROR SUMMARY: 0 errors" "$WORK/pass/$log.log" || fail "$log.log: the run did not end"
done
grep -q "cuda:0 lscan emulated device" "$WORK/pass/bench_gpu_engine.log" ||
  fail "bench_gpu_engine.log names no device"

code=$(DRY_RUN_SKIP=1 DRY_RUN_FAIL_TOOL=racecheck PARTS="tests sanitizer" run_checks "$WORK/fail")
[[ $code == 1 ]] || { cat "$WORK/fail.out"; fail "the failing run exited with $code"; }
want="FAILED: gtest_gpu_skipped sanitizer_racecheck_fp32_default sanitizer_racecheck_fp64_default"
want+=" sanitizer_racecheck_tf32_default sanitizer_racecheck_bf16_default"
want+=" sanitizer_train_racecheck_default sanitizer_train_racecheck_64K"
grep -qF "$want (logs in" "$WORK/fail.out" || { cat "$WORK/fail.out"; fail "expected: $want"; }
echo "gpu_checks_dry_run: $steps steps passed; the failing run named its failed steps"
