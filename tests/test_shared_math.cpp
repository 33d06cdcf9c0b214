// The shared per-element math: activations and losses at values known exactly, and every
// derivative against a central finite difference.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"
#include "kernels/rounding.cuh"

namespace lscan {
namespace {

const Activation kAllActivations[] = {
    Activation::Identity, Activation::Relu, Activation::LeakyRelu, Activation::Tanh,
    Activation::Sigmoid,  Activation::Gelu, Activation::Softplus};

TEST(SharedMath, ActivationsAtKnownValues) {
  EXPECT_EQ(activate(Activation::Relu, -2.0, 0.0), 0.0);
  EXPECT_EQ(activate(Activation::Relu, 3.0, 0.0), 3.0);
  EXPECT_EQ(activate(Activation::LeakyRelu, -2.0, 0.1), -0.2);
  EXPECT_EQ(activate(Activation::Sigmoid, 0.0, 0.0), 0.5);
  EXPECT_EQ(activate(Activation::Tanh, 0.0, 0.0), 0.0);
  EXPECT_EQ(activate(Activation::Gelu, 0.0, 0.0), 0.0);
  EXPECT_NEAR(activate(Activation::Softplus, 0.0, 0.0), std::log(2.0), 1e-15);
  EXPECT_EQ(activate(Activation::Softplus, 30.0, 0.0), 30.0);  // PyTorch threshold
  // No overflow far out on either side.
  EXPECT_EQ(activate(Activation::Sigmoid, -800.0, 0.0), 0.0);
  EXPECT_EQ(activate(Activation::Sigmoid, 800.0, 0.0), 1.0);
  // gelu(1) = 0.5 (1 + erf(1/sqrt 2)) = Phi(1) = 0.8413447460685429
  EXPECT_NEAR(activate(Activation::Gelu, 1.0, 0.0), 0.8413447460685429, 1e-15);
}

TEST(SharedMath, ActivationDerivativesMatchFiniteDifferences) {
  const double h = 1e-6;
  for (Activation a : kAllActivations) {
    for (double x : {-3.1, -0.7, 0.3, 1.9, 4.2}) {
      const double fd = (activate(a, x + h, 0.05) - activate(a, x - h, 0.05)) / (2 * h);
      EXPECT_NEAR(activate_grad(a, x, 0.05), fd, 1e-8) << static_cast<int>(a) << " at " << x;
    }
  }
}

TEST(SharedMath, LossesAtKnownValues) {
  int ok = -1;
  // Equal logits: cross-entropy log(m).
  const double z3[3] = {0.5, 0.5, 0.5};
  const double y1 = 2;
  EXPECT_NEAR(sample_loss(LossKind::CrossEntropy, z3, 1, 3, &y1, &ok), std::log(3.0), 1e-15);
  // Hinge with z = (2, 0, 1.5), y = 0: margins 1 - 2 + 0 < 0, 1 - 2 + 1.5 = 0.5 -> 0.5 / 3.
  const double zh[3] = {2.0, 0.0, 1.5};
  const double y0 = 0;
  EXPECT_NEAR(sample_loss(LossKind::Hinge, zh, 1, 3, &y0, &ok), 0.5 / 3, 1e-15);
  EXPECT_EQ(ok, 1);
  // Logistic at z = 0: log 2 for any target.
  const double z0 = 0.0, t1 = 1.0;
  EXPECT_NEAR(sample_loss(LossKind::Logistic, &z0, 1, 1, &t1, &ok), std::log(2.0), 1e-15);
  // Logistic far out stays finite: softplus(-800) - 0 = ~0, softplus(800) - 800 * 1 = 0.
  const double zbig = 800.0;
  EXPECT_NEAR(sample_loss(LossKind::Logistic, &zbig, 1, 1, &t1, &ok), 0.0, 1e-300);
  // sigmoid_mse at 0 with target 1: (0.5 - 1)^2.
  EXPECT_NEAR(sample_loss(LossKind::SigmoidMse, &z0, 1, 1, &t1, &ok), 0.25, 1e-15);
  // mse with stride: the column (1, 3) against targets (0, 1): ((1)^2 + (2)^2) / 2.
  const double zs[4] = {1.0, 99.0, 3.0, 99.0};
  const double t2[2] = {0.0, 1.0};
  EXPECT_NEAR(sample_loss(LossKind::Mse, zs, 2, 2, t2, &ok), 2.5, 1e-15);
  EXPECT_EQ(ok, 1);
}

TEST(SharedMath, LossGradientsMatchFiniteDifferences) {
  const LossKind kinds[] = {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge,
                            LossKind::Logistic, LossKind::SigmoidMse};
  for (LossKind k : kinds) {
    const int m = (k == LossKind::Logistic || k == LossKind::SigmoidMse) ? 1 : 4;
    std::vector<double> z = {0.37, -1.21, 0.83, 0.05};
    std::vector<double> y =
        (k == LossKind::Mse) ? std::vector<double>{0.2, -0.4, 1.0, 0.3} : std::vector<double>{1.0};
    std::vector<double> g(m);
    sample_loss_grad(k, z.data(), 1, m, y.data(), g.data(), 1);
    for (int j = 0; j < m; ++j) {
      const double h = 1e-6;
      int ok;
      auto zp = z, zm = z;
      zp[j] += h;
      zm[j] -= h;
      const double fd = (sample_loss(k, zp.data(), 1, m, y.data(), &ok) -
                         sample_loss(k, zm.data(), 1, m, y.data(), &ok)) /
                        (2 * h);
      EXPECT_NEAR(g[j], fd, 1e-8) << static_cast<int>(k) << " output " << j;
    }
  }
}

// TF32 keeps 10 of fp32's 23 mantissa bits: near 1 its ulp is 2^-10.
TEST(SharedMath, RoundToTf32IsRoundHalfToEven) {
  const float u = std::ldexp(1.0f, -10);
  EXPECT_EQ(round_to_tf32(1.0f), 1.0f);
  EXPECT_EQ(round_to_tf32(1.0f + u), 1.0f + u);                // representable
  EXPECT_EQ(round_to_tf32(1.0f + 0.25f * u), 1.0f);            // below half an ulp
  EXPECT_EQ(round_to_tf32(1.0f + 0.75f * u), 1.0f + u);        // above half an ulp
  EXPECT_EQ(round_to_tf32(1.0f + 0.5f * u), 1.0f);             // tie: to the even 1
  EXPECT_EQ(round_to_tf32(1.0f + 1.5f * u), 1.0f + 2 * u);     // tie: to the even 1 + 2u
  EXPECT_EQ(round_to_tf32(-(1.0f + 0.75f * u)), -(1.0f + u));  // symmetric
  EXPECT_EQ(round_to_tf32(2.0f - 0.25f * u), 2.0f);            // carries into the exponent
  EXPECT_EQ(round_to_tf32(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(round_to_tf32(std::numeric_limits<float>::quiet_NaN())));
}

}  // namespace
}  // namespace lscan
