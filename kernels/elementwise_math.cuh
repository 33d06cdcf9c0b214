// The per-element bodies of the CUDA engine's kernels (kernels/elementwise.cu): storage
// conversions and the inner-dimension-(k+1) combination. Host/device, so that the host emulation
// of the CUDA runtime (tests/cuda_emu/) runs the very code the kernels run.
#pragma once

#include <cuda_bf16.h>

#include <type_traits>

#include "kernels/activations.cuh"
#include "kernels/hd.cuh"
#include "kernels/rounding.cuh"

namespace lscan {

// A stored value in its compute type (bf16 computes in float).
LSCAN_HD LSCAN_INLINE double to_compute(double x) {
  return x;
}
LSCAN_HD LSCAN_INLINE float to_compute(float x) {
  return x;
}
LSCAN_HD LSCAN_INLINE float to_compute(__nv_bfloat16 x) {
  return __bfloat162float(x);
}

// v in the storage format T (double, float or bf16), rounded to nearest.
template <class T>
LSCAN_HD LSCAN_INLINE T from_double(double v) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __double2bfloat16(v);
  } else {
    return static_cast<T>(v);
  }
}

// *p = v in p's format; tf32: round an fp32 value to TF32 (see round_to_tf32).
LSCAN_HD LSCAN_INLINE void store(double* p, double v, bool) {
  *p = v;
}
LSCAN_HD LSCAN_INLINE void store(float* p, float v, bool tf32) {
  *p = tf32 ? round_to_tf32(v) : v;
}
LSCAN_HD LSCAN_INLINE void store(__nv_bfloat16* p, float v, bool) {
  *p = __float2bfloat16(v);
}

// out[b, r, j] = act(sum_{t < K1} cb[t] stack[t, r, j] + bias_r), for cb = c + b K1 and
// p = stack + r J, plane = R J: the K1 terms added in the order t = 0, 1, .., whatever the tile.
template <class C, class In, class Out>
LSCAN_HD LSCAN_INLINE void combine_element(const C* cb, int K1, const In* p, long long plane,
                                           long long j, C bias_r, Activation act, C alpha, Out* o,
                                           bool tf32) {
  C z = cb[0] * to_compute(p[j]);
  for (int t = 1; t < K1; ++t) z += cb[t] * to_compute(p[t * plane + j]);
  store(o + j, activate(act, z + bias_r, alpha), tf32);
}

// Z[j] <- act(Z[j] + bias_r) in place.
template <class T, class C>
LSCAN_HD LSCAN_INLINE void bias_activation_element(T* z, long long j, C bias_r, Activation act,
                                                   C alpha, bool tf32) {
  store(z + j, activate(act, to_compute(z[j]) + bias_r, alpha), tf32);
}

}  // namespace lscan
