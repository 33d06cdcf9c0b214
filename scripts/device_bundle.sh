#!/usr/bin/env bash
# Builds lscan with CUDA on this machine and packs the binaries, with the shared libraries they
# load, into one archive for a GPU machine that has the CUDA toolkit but not lscan's Debian
# packages (OpenBLAS, HDF5, PLplot, ...):
#
#   scripts/device_bundle.sh                 # -> .device/lscan-device.tar.xz
#   # there, from a copy of this repository with .device beside it:
#   PREBUILT=.device/lscan-device.tar.xz benchmarks/gpu_checks.sh LOG_DIR
#
# The build is Release with -march=native off (the GPU machine's processor may lack this one's
# instruction sets) for CUDA_ARCH (default 90: H100, H200). Left out of the archive, because the
# GPU machine must supply its own: glibc and the C++ runtime (at least as new as this machine's),
# the CUDA driver, and CUDA's runtime and cuBLAS (of the same major version as this machine's
# nvcc). PLplot's drivers and fonts stay behind: the plot
# tests run in CI, not on the GPU machine.
# Environment: BUILD_DIR (default build-device), CUDA_ARCH (default 90), JOBS (default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-device}
OUT=$ROOT/.device
STAGE=$OUT/lscan-device
JOBS=${JOBS:-$(nproc)}
command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] || {
  echo "device_bundle: nvcc not found; the bundle needs the CUDA build" >&2
  exit 2
}

# The binaries find the archive's lib/ by an RPATH relative to themselves (DT_RPATH, not
# DT_RUNPATH: it then serves the libraries' own dependencies too), and CUDA's libraries in the
# toolkit's usual folders; no LD_LIBRARY_PATH, which would also reach the sanitizer and Python.
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLSCAN_NATIVE=OFF \
  -DLSCAN_BUILD_TESTS=ON -DLSCAN_BUILD_BENCHMARKS=ON -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" \
  -DCMAKE_BUILD_RPATH='$ORIGIN/../lib;/usr/local/cuda/lib64;/usr/local/cuda/lib' \
  -DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags
cmake --build "$BUILD" -j "$JOBS"
[[ -f $BUILD/liblscan_cuda.a ]] || {
  echo "device_bundle: the build has no CUDA backend" >&2
  exit 1
}

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/lib"
bins=(lscan lscan_tests bench_gpu_engine bench_train bench_cpu_engine bench_analysis)
for b in "${bins[@]}"; do
  strip -o "$STAGE/bin/$b" "$BUILD/$b"
done
# Every library the binaries load, by the name they ask for, except glibc's, the C++ runtime's
# (the GPU machine's Python and sanitizer need its own, newer one) and CUDA's.
for b in "${bins[@]}"; do
  ldd "$BUILD/$b" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  case $name in
  libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.* | \
    libutil.so.* | libnss_*.so.* | libanl.so.* | ld-linux*.so.* | \
    libstdc++.so.* | libgcc_s.so.* | libcuda.so.* | libcudart.so.* | libcublas.so.* | \
    libcublasLt.so.* | libnvidia*) ;;
  *) cp -L "$path" "$STAGE/lib/$name" ;;
  esac
done

tar -C "$OUT" -cJf "$OUT/lscan-device.tar.xz" lscan-device
rm -rf "$STAGE"
echo "device_bundle: $(du -h "$OUT/lscan-device.tar.xz" | cut -f1) in $OUT/lscan-device.tar.xz"
