// Activations and their derivatives, written once for the CPU backend and the CUDA kernels.
// Conventions follow PyTorch: gelu is the exact erf form, softplus has beta = 1 and threshold = 20,
// leaky_relu takes its negative slope as `alpha` (PyTorch's default 0.01).
#pragma once

#include <cmath>

#include "kernels/hd.cuh"

namespace lscan {

enum class Activation : int { Identity = 0, Relu, LeakyRelu, Tanh, Sigmoid, Gelu, Softplus };

// sigma(x) = 1 / (1 + e^-x), evaluated without overflow for either sign of x.
template <class T>
LSCAN_HD LSCAN_INLINE T stable_sigmoid(T x) {
  using std::exp;
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}

// softplus(x) = log(1 + e^x); PyTorch returns x itself above the threshold 20.
template <class T>
LSCAN_HD LSCAN_INLINE T softplus(T x) {
  using std::exp;
  using std::log1p;
  if (x > T(20)) return x;
  return log1p(exp(x));
}

template <class T>
LSCAN_HD LSCAN_INLINE T activate(Activation a, T x, T alpha) {
  using std::erf;
  using std::tanh;
  switch (a) {
    case Activation::Identity:
      return x;
    case Activation::Relu:
      return x > T(0) ? x : T(0);
    case Activation::LeakyRelu:
      return x > T(0) ? x : alpha * x;
    case Activation::Tanh:
      return tanh(x);
    case Activation::Sigmoid:
      return stable_sigmoid(x);
    case Activation::Gelu:
      // 0.5 x (1 + erf(x / sqrt 2))
      return T(0.5) * x * (T(1) + erf(x * T(0.70710678118654752440)));
    case Activation::Softplus:
      return softplus(x);
  }
  return x;
}

// d activate(x) / dx at the pre-activation x.
template <class T>
LSCAN_HD LSCAN_INLINE T activate_grad(Activation a, T x, T alpha) {
  using std::erf;
  using std::exp;
  using std::tanh;
  switch (a) {
    case Activation::Identity:
      return T(1);
    case Activation::Relu:
      return x > T(0) ? T(1) : T(0);
    case Activation::LeakyRelu:
      return x > T(0) ? T(1) : alpha;
    case Activation::Tanh: {
      const T t = tanh(x);
      return T(1) - t * t;
    }
    case Activation::Sigmoid: {
      const T s = stable_sigmoid(x);
      return s * (T(1) - s);
    }
    case Activation::Gelu:
      // 0.5 (1 + erf(x / sqrt 2)) + x phi(x), phi the standard normal density
      return T(0.5) * (T(1) + erf(x * T(0.70710678118654752440))) +
             x * exp(T(-0.5) * x * x) * T(0.39894228040143267794);
    case Activation::Softplus:
      return x > T(20) ? T(1) : stable_sigmoid(x);
  }
  return T(1);
}

}  // namespace lscan
