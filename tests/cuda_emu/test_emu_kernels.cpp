// The CUDA kernels' own code (kernels/elementwise.cu, kernels/backprop_kernels.cu), run thread by
// thread with warps in lockstep on the emulated device (emu_simt.h), against the loops over the
// same per-element bodies that the rest of the emulated tests use: the same bits, for every
// launcher and type, at sizes that take several blocks, split rows (gridDim.y > 1), grid-stride
// loops, partial warps of points and sample counts that are not multiples of 32.
#include "emu_names.h"
// clang-format off
#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "emu_device.h"
#include "emu_simt.h"
#include "emu_test_util.h"
#include "host/engine/cuda/device_buffer.h"
#include "kernels/backprop_kernels.h"
#include "kernels/elementwise.h"
#include "kernels/elementwise_math.cuh"
#include "random_problems.h"
// clang-format on

namespace lscan::testing {
namespace {

// A device buffer with values drawn once; restore() puts them back before each run.
template <class T>
struct Input {
  std::vector<T> host;
  DeviceBuffer<T> dev;
  Input(size_t n, std::mt19937_64& rng, double lo, double hi, bool integers = false)
      : host(n), dev(n) {
    std::uniform_real_distribution<double> u(lo, hi);
    for (T& v : host) v = from_double<T>(integers ? std::floor(u(rng)) : u(rng));
    restore();
  }
  void restore() { dev.upload(host.data(), host.size()); }
  std::vector<unsigned char> bytes() const {
    std::vector<T> out(host.size());
    dev.download(out.data(), out.size());
    std::vector<unsigned char> b(out.size() * sizeof(T));
    std::memcpy(b.data(), out.data(), b.size());
    return b;
  }
};

// Runs `launch` (after `restore`) with the loops, then with the kernels' own code, and returns the
// bytes `result` reads back after each.
std::vector<std::vector<unsigned char>> both(
    const std::function<void()>& restore, const std::function<void()>& launch,
    const std::function<std::vector<unsigned char>()>& result) {
  std::vector<std::vector<unsigned char>> out;
  for (bool simt : {false, true}) {
    emu::Config c = emu_config(emu::Schedule::Lazy);
    c.simt = simt;
    emu::configure(c);
    restore();
    launch();
    LSCAN_CUDA_CHECK(cudaStreamSynchronize(nullptr));
    out.push_back(result());
  }
  EXPECT_TRUE(emu::violations().empty()) << emu::violations().front();
  return out;
}

class EmuKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = fresh_seed();
    rng_.seed(seed_);
  }
  void TearDown() override { emu::configure(emu_config(emu::Schedule::Lazy)); }
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
};

// A launch configuration that a device refuses is a violation, and nothing of the kernel runs; a
// valid one runs every thread once.
TEST_F(EmuKernels, LaunchBeyondTheDeviceLimitsIsAViolation) {
  static int runs = 0;  // its address is the kernel's key
  const std::function<void()> body = [] { ++runs; };
  emu::configure(emu_config(emu::Schedule::Lazy));
  emu::simt::run(dim3(2, 3), dim3(64, 2), body, &runs);
  EXPECT_EQ(runs, 2 * 3 * 64 * 2);
  EXPECT_TRUE(emu::violations().empty());
  const std::pair<dim3, dim3> refused[] = {
      {dim3(1, 65536), dim3(32)}, {dim3(1, 1, 65536), dim3(32)}, {dim3(0), dim3(32)},
      {dim3(1), dim3(1025)},      {dim3(1), dim3(32, 32, 2)},    {dim3(1), dim3(1, 1, 65)},
  };
  for (const auto& [grid, block] : refused) {
    SCOPED_TRACE("grid (" + std::to_string(grid.x) + ", " + std::to_string(grid.y) + ", " +
                 std::to_string(grid.z) + ") block (" + std::to_string(block.x) + ", " +
                 std::to_string(block.y) + ", " + std::to_string(block.z) + ")");
    emu::configure(emu_config(emu::Schedule::Lazy));
    runs = 0;
    emu::simt::run(grid, block, body, &runs);
    EXPECT_EQ(runs, 0);
    ASSERT_EQ(emu::violations().size(), 1u);
    EXPECT_NE(emu::violations()[0].find("beyond what a CUDA device accepts"), std::string::npos)
        << emu::violations()[0];
  }
}

template <class In, class Out>
void check_combine(std::mt19937_64& rng, bool with_bias, bool tf32, Activation act) {
  using C = compute_t<In>;
  const long long B = 3, R = 2, J = 2500;  // rows of 2500: gridDim.y = 3
  const int K1 = 4;
  Input<C> c(B * K1, rng, -1, 1);
  Input<In> stack(K1 * R * J, rng, -1, 1);
  Input<C> bias(B * R, rng, -1, 1);
  Input<Out> out(B * R * J, rng, 0, 0);
  const auto runs = both([&] { out.restore(); },
                         [&] {
                           emu_launch_combine<In, Out>(c.dev.data(), K1, stack.dev.data(), R, J,
                                                       with_bias ? bias.dev.data() : nullptr, act,
                                                       0.1, B, out.dev.data(), tf32, nullptr);
                         },
                         [&] { return out.bytes(); });
  EXPECT_TRUE(runs[0] == runs[1]);
}

TEST_F(EmuKernels, CombineIsTheSameBits) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  for (bool with_bias : {false, true}) {
    SCOPED_TRACE(with_bias ? "bias" : "no bias");
    check_combine<double, double>(rng_, with_bias, false, Activation::Tanh);
    check_combine<float, float>(rng_, with_bias, false, Activation::LeakyRelu);
    check_combine<float, float>(rng_, with_bias, true, Activation::Gelu);
    check_combine<__nv_bfloat16, __nv_bfloat16>(rng_, with_bias, false, Activation::Softplus);
    check_combine<__nv_bfloat16, float>(rng_, with_bias, false, Activation::Identity);
  }
}

template <class T>
void check_bias_activation(std::mt19937_64& rng, bool tf32) {
  using C = compute_t<T>;
  const long long rows = 5, J = 2100;
  Input<T> Z(rows * J, rng, -3, 3);
  Input<C> bias(rows, rng, -1, 1);
  const auto runs = both([&] { Z.restore(); },
                         [&] {
                           emu_launch_bias_activation<T>(Z.dev.data(), bias.dev.data(), rows, J,
                                                         Activation::Sigmoid, 0.0, tf32, nullptr);
                         },
                         [&] { return Z.bytes(); });
  EXPECT_TRUE(runs[0] == runs[1]);
}

TEST_F(EmuKernels, BiasActivationIsTheSameBits) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  check_bias_activation<double>(rng_, false);
  check_bias_activation<float>(rng_, true);
  check_bias_activation<__nv_bfloat16>(rng_, false);
}

// 6 points: two blocks of 4 warps, the second half empty; 75 samples: the last group of 32 is
// partial. Running sums and counts start from values of their own.
template <class T>
void check_loss(std::mt19937_64& rng, LossKind kind) {
  const int m = loss_is_binary(kind) ? 1 : 3;
  const int width = kind == LossKind::Mse ? m : 1;
  const long long B = 6, Nc = 75;
  Input<T> Z(B * m * Nc, rng, -2, 2);
  Input<double> y(Nc * width, rng, 0, kind == LossKind::Mse ? 1 : (m == 1 ? 2 : m),
                  kind != LossKind::Mse);
  Input<double> sums(B, rng, 0, 10), correct(B, rng, 0, 5, true);
  const auto runs = both(
      [&] {
        sums.restore();
        correct.restore();
      },
      [&] {
        emu_launch_loss_accuracy<T>(Z.dev.data(), y.dev.data(), width, B, m, Nc, kind,
                                    sums.dev.data(), correct.dev.data(), nullptr);
      },
      [&] {
        auto b = sums.bytes();
        const auto c = correct.bytes();
        b.insert(b.end(), c.begin(), c.end());
        return b;
      });
  EXPECT_TRUE(runs[0] == runs[1]);
}

TEST_F(EmuKernels, LossAccuracyIsTheSameBits) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  for (LossKind kind : {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge, LossKind::Logistic,
                        LossKind::SigmoidMse}) {
    SCOPED_TRACE(loss_name(kind));
    check_loss<double>(rng_, kind);
    check_loss<float>(rng_, kind);
  }
}

TEST_F(EmuKernels, BackpropKernelsAreTheSameBits) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  const long long rows = 7, Nc = 450, size = rows * Nc;  // 3150 elements: 4 blocks
  Input<double> b(rows, rng_, -1, 1), Z(size, rng_, -3, 3), A(size, rng_, 0, 0),
      G(size, rng_, -1, 1);
  auto fill = both([&] { A.restore(); },
                   [&] { emu_launch_fill_rows(A.dev.data(), b.dev.data(), rows, Nc, nullptr); },
                   [&] { return A.bytes(); });
  EXPECT_TRUE(fill[0] == fill[1]) << "fill_rows";
  auto act =
      both([&] { A.restore(); },
           [&] {
             emu_launch_activate(Z.dev.data(), A.dev.data(), size, Activation::Gelu, 0.0, nullptr);
           },
           [&] { return A.bytes(); });
  EXPECT_TRUE(act[0] == act[1]) << "activate";
  auto grad = both([&] { G.restore(); },
                   [&] {
                     emu_launch_mul_activation_grad(Z.dev.data(), G.dev.data(), size,
                                                    Activation::LeakyRelu, 0.2, nullptr);
                   },
                   [&] { return G.bytes(); });
  EXPECT_TRUE(grad[0] == grad[1]) << "mul_activation_grad";
  for (LossKind kind : {LossKind::CrossEntropy, LossKind::Mse, LossKind::Logistic}) {
    SCOPED_TRACE(loss_name(kind));
    const int m = loss_is_binary(kind) ? 1 : 3, width = kind == LossKind::Mse ? m : 1;
    const long long n = 1100;
    Input<double> out(m * n, rng_, -2, 2),
        y(n * width, rng_, 0, kind == LossKind::Mse ? 1 : m, kind != LossKind::Mse),
        g(m * n, rng_, 0, 0);
    auto lg = both([&] { g.restore(); },
                   [&] {
                     emu_launch_sample_loss_grads(out.dev.data(), y.dev.data(), width, m, n, kind,
                                                  g.dev.data(), nullptr);
                   },
                   [&] { return g.bytes(); });
    EXPECT_TRUE(lg[0] == lg[1]);
  }
}

}  // namespace
}  // namespace lscan::testing
