// The project's host/device marker: the per-element math in kernels/*.cuh is compiled by nvcc for
// the GPU and by g++ for the CPU backend, from the same source.
#pragma once

#if defined(__CUDACC__)
#define LSCAN_HD __host__ __device__
#define LSCAN_INLINE __forceinline__
#else
#define LSCAN_HD
#define LSCAN_INLINE inline
#endif
