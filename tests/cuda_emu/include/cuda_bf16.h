// The host emulation of cuda_bf16.h (tests/cuda_emu/): bfloat16 storage (the top 16 bits of an
// IEEE binary32) with the conversions the CUDA backend calls, rounding to nearest even as the
// real ones do. Internal linkage and a type name of its own, as in cuda_runtime.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

struct lscan_emu_bf16 {
  uint16_t bits;
};
typedef lscan_emu_bf16 __nv_bfloat16;

static inline float __bfloat162float(__nv_bfloat16 h) {
  const uint32_t b = static_cast<uint32_t>(h.bits) << 16;
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

static inline __nv_bfloat16 __float2bfloat16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  if (std::isnan(f)) return {static_cast<uint16_t>((b >> 16) | 0x0040u)};  // quiet NaN
  b += 0x7fffu + ((b >> 16) & 1u);  // round half to even on the low 16 bits (inf stays inf)
  return {static_cast<uint16_t>(b >> 16)};
}

// One rounding from double: first to binary32 rounding to odd (truncate, then set the last bit
// when inexact), which keeps enough information for the second rounding to nearest even to be
// the correct one.
static inline __nv_bfloat16 __double2bfloat16(double d) {
  if (std::isnan(d)) return __float2bfloat16(static_cast<float>(d));
  float f = static_cast<float>(d);
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);
  if (static_cast<double>(f) != d) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    b |= 1u;
    std::memcpy(&f, &b, sizeof f);
  }
  return __float2bfloat16(f);
}
