// Full-batch training passes (loss + gradient, fp64) per second on the CPU and, when one is usable,
// a CUDA device, for MLPs 784-128-10 and 784-512-512-512-10 (relu, cross_entropy, pixel-like
// data): what one epoch of `lscan train` costs. FLOPs per pass: 6 N sum_l n_l n_{l-1} (forward
// 2, the two backward GEMMs 4 per weight and sample; the first layer's input gradient is not
// computed, so this slightly overcounts it). The CUDA rows also give the largest relative
// difference of their gradient from the CPU's, |g_cuda - g_cpu|_inf / |g_cpu|_inf.
//
//   bench_train [--samples 10000] [--runs 5] [--device 0] [--cpu 1]
//               [--models 784-128-10,784-512-512-512-10]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "benchmarks/bench_util.h"
#include "host/engine/device.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"
#include "host/train/cuda/cuda_loss_gradient.h"

namespace {

using lscan::bench::median;
using lscan::bench::now;
using lscan::bench::split;

struct Timing {
  double seconds = 0;  // median per pass
  std::vector<double> grad;
};

// Median wall time of `runs` passes with gradient after one warm-up pass.
Timing time_passes(lscan::LossGradient& f, const lscan::Model& model, int runs) {
  Timing t;
  t.grad.resize(model.theta.size());
  f.evaluate(model.theta.data(), t.grad.data(), nullptr);
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now();
    f.evaluate(model.theta.data(), t.grad.data(), nullptr);
    times.push_back(now() - t0);
  }
  t.seconds = median(times);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t samples = 10000;
  int runs = 5, device = 0, with_cpu = 1;
  std::string models = "784-128-10,784-512-512-512-10";
  lscan::bench::Flags flags;
  flags.add("--samples", &samples).add("--runs", &runs).add("--device", &device);
  flags.add("--cpu", &with_cpu).add("--models", &models);
  if (!flags.parse(argc, argv)) return 2;
  const auto devices = lscan::cuda_devices();
  const bool with_cuda = device >= 0 && device < static_cast<int>(devices.size());
  std::printf("bench_train: %lld samples, fp64, median of %d passes; CPU %s%s%s\n",
              static_cast<long long>(samples), runs, lscan::bench::cpu_name().c_str(),
              with_cuda ? ", CUDA " : ", no CUDA device",
              with_cuda ? devices[device].name.c_str() : "");
  std::printf("%-22s %-8s %12s %12s %12s %14s\n", "model", "device", "s/pass", "passes/s",
              "GFLOP/s", "grad vs cpu");
  for (const std::string& spec : split(models, ',')) {
    const std::vector<int> widths = lscan::bench::parse_widths(spec);
    const lscan::Model model = lscan::bench::make_mlp(widths, 1);
    const lscan::Dataset data = lscan::bench::make_pixel_data(widths, samples);
    const lscan::Targets targets = lscan::make_targets(model.spec, data, "synthetic");
    double weights = 0;
    for (size_t l = 1; l < widths.size(); ++l) weights += double(widths[l]) * widths[l - 1];
    const double flops = 6.0 * static_cast<double>(samples) * weights;
    Timing cpu;
    if (with_cpu) {
      auto f = lscan::make_cpu_loss_gradient(model.spec, model.num_params(), data, targets);
      cpu = time_passes(*f, model, runs);
      std::printf("%-22s %-8s %12.4f %12.2f %12.1f %14s\n", spec.c_str(), "cpu", cpu.seconds,
                  1 / cpu.seconds, flops / cpu.seconds / 1e9, "-");
    }
    if (with_cuda) {
      auto f =
          lscan::make_cuda_loss_gradient(model.spec, model.num_params(), data, targets, device, 0);
      const Timing gpu = time_passes(*f, model, runs);
      char diff[32] = "-";
      if (with_cpu) {
        double err = 0, scale = 0;
        for (size_t i = 0; i < gpu.grad.size(); ++i) {
          err = std::max(err, std::fabs(gpu.grad[i] - cpu.grad[i]));
          scale = std::max(scale, std::fabs(cpu.grad[i]));
        }
        std::snprintf(diff, sizeof diff, "%.1e", err / scale);
      }
      std::printf("%-22s %-8s %12.4f %12.2f %12.1f %14s\n", spec.c_str(), f->device().c_str(),
                  gpu.seconds, 1 / gpu.seconds, flops / gpu.seconds / 1e9, diff);
      if (with_cpu)
        std::printf("%-22s speed-up over the CPU: %.1fx\n", "", cpu.seconds / gpu.seconds);
    }
  }
  return 0;
}
