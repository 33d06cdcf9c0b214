#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for lscan and builds it, then:
#   scripts/bootstrap.sh demo    runs `lscan demo` (no input needed)
#   scripts/bootstrap.sh test    runs the whole test suite (ctest)
#   scripts/bootstrap.sh build   only builds
#   scripts/bootstrap.sh sanitize  builds in build-sanitize/ with AddressSanitizer + UBSan (no
#                                CUDA) and runs the CPU and emulated-device tests under them
# Installs missing Debian packages with apt-get (as root or through sudo). The tests also need
# Python's numpy and safetensors to write fixture files the way users' tools do; they go into a
# virtual environment inside the build folder, not into the system.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}
case "$mode" in demo | test | build | sanitize) ;; *)
  echo "usage: $0 demo|test|build|sanitize" >&2
  exit 2
  ;;
esac

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi

# CUDA: compiled whenever the toolkit is installed (nvcc on PATH or in /usr/local/cuda).
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

packages=(build-essential cmake libopenblas-openmp-dev libhdf5-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev python3 python3-venv plplot-driver-cairo libplplot-dev pkg-config xz-utils)
# Thrust: the toolkit's own copy when CUDA is present, Debian's otherwise (never both).
# The sanitizer build has no CUDA, so it always takes Debian's.
if ! command -v nvcc >/dev/null 2>&1 || [ "$mode" = sanitize ]; then packages+=(libthrust-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if [ "$mode" = sanitize ]; then
  build=build-sanitize
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLSCAN_SANITIZE=ON -DLSCAN_BUILD_BENCHMARKS=OFF)
fi
if [ "$mode" = test ] || [ "$mode" = sanitize ]; then
  if [ ! -x $build/pyenv/bin/python ]; then
    mkdir -p $build
    python3 -m venv $build/pyenv
  fi
  $build/pyenv/bin/python -m pip install -q --disable-pip-version-check numpy safetensors
  cmake_args+=(-DPython3_EXECUTABLE="$PWD/$build/pyenv/bin/python")
fi
cmake -S . -B $build "${cmake_args[@]}"
cmake --build $build -j "$(nproc)"

case "$mode" in
demo) ./build/lscan demo ;;
test) cd build && ctest --output-on-failure -j "$(nproc)" ;;
sanitize)
  # A UBSan report stops the process (and fails its test); scripts/sanitizers.supp lists the
  # reports from other projects' code that are not lscan's to fix. Cli.OutOfHostMemory* runs lscan
  # under `ulimit -v`, where ASan cannot map its shadow memory at all: it is left out here.
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/scripts/sanitizers.supp"
  export LSAN_OPTIONS="suppressions=$PWD/scripts/leaks.supp"
  export ASAN_OPTIONS="detect_leaks=1"
  echo "left out under ASan (ulimit -v): Cli.OutOfHostMemoryIsReportedAsSuch"
  cd $build && ctest --output-on-failure -j "$(nproc)" -L "cpu|emu" -E "OutOfHostMemory" ;;
esac
