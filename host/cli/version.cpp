#include "host/cli/version.h"

#include <cblas.h>
#include <hdf5.h>
#include <omp.h>

namespace lscan {

std::string version_text() {
  std::string s = "lscan " LSCAN_VERSION "\n";
#ifdef LSCAN_HAVE_CUDA
  s +=
      "CUDA backend: built with CUDA " LSCAN_CUDA_VERSION " for sm_" LSCAN_CUDA_ARCHS " (cuBLAS)\n";
#else
  s += "CUDA backend: not built (nvcc was not found)\n";
#endif
  const char* blas = openblas_get_config();
  // openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... MAX_THREADS=64"
  s += std::string("CPU backend: ") + (blas ? blas : "OpenBLAS (no config)") + ", OpenMP, up to " +
       std::to_string(omp_get_max_threads()) + " threads\n";
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  s += "HDF5 " + std::to_string(major) + "." + std::to_string(minor) + "." +
       std::to_string(release) + "\n";
  return s;
}

}  // namespace lscan
