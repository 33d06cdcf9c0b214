// What `lscan --version` prints: the version, then how this binary was built and what it links,
// for bug reports and batch logs.
#pragma once

#include <string>

namespace lscan {

// "lscan 0.1.0\n"
// "CUDA backend: built with CUDA 13.0 for sm_90 (cuBLAS)\n"  or  "CUDA backend: not built\n"
// "CPU backend: <OpenBLAS's config line>, OpenMP, up to <n> threads\n"
// "HDF5 1.10.8\n"
std::string version_text();

}  // namespace lscan
