// Rounding of fp32 values to narrower formats, shared by the host and the CUDA kernels.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/hd.cuh"

namespace lscan {

// The TF32 value nearest to x (10 stored mantissa bits, ties to even); inf and NaN unchanged.
// Tensor cores read only the top 10 mantissa bits of an fp32 operand, which truncates towards
// zero: a bias of half a TF32 ulp on average that adds up through the layers. Operands rounded
// here first are read exactly.
LSCAN_HD LSCAN_INLINE float round_to_tf32(float x) {
  uint32_t b;
#if defined(__CUDA_ARCH__)
  b = __float_as_uint(x);
#else
  std::memcpy(&b, &x, sizeof b);
#endif
  if ((b & 0x7f800000u) == 0x7f800000u) return x;
  b = (b + 0xfffu + ((b >> 13) & 1u)) & 0xffffe000u;  // ulp 2^13 in the bits: round half to even
#if defined(__CUDA_ARCH__)
  return __uint_as_float(b);
#else
  float r;
  std::memcpy(&r, &b, sizeof r);
  return r;
#endif
}

}  // namespace lscan
