// Seconds per analysis reducer on one surface: curvature maps, the Jensen test over every grid-line
// pair plus sampled off-line pairs, critical points with basins and persistence, and a 1-D path.
// The surface is Rastrigin's function with seeded noise, so basins and violations are plentiful;
// critical points also run on pure noise, the worst case for basins (about one minimum in 5
// points, every boundary between basins a saddle candidate).
//
//   bench_analysis [--n 1001] [--runs 3] [--offline 100000]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "benchmarks/bench_util.h"
#include "host/analysis/critical_points.h"
#include "host/analysis/curvature.h"
#include "host/analysis/jensen.h"
#include "host/analysis/path.h"
#include "host/core/rng.h"

namespace {

using lscan::bench::cpu_name;
using lscan::bench::median;
using lscan::bench::now;

double rastrigin(double x, double y) {
  const double two_pi = 6.283185307179586;
  return 20.0 + x * x - 10.0 * std::cos(two_pi * x) + y * y - 10.0 * std::cos(two_pi * y);
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1001, runs = 3;
  int64_t offline = 100000;
  lscan::bench::Flags flags;
  flags.add("--n", &n).add("--runs", &runs).add("--offline", &offline);
  if (!flags.parse(argc, argv)) return 2;
  lscan::Grid grid;
  grid.axes = {{-5.0, 5.0, n}, {-5.0, 5.0, n}};
  std::vector<double> f(static_cast<size_t>(grid.num_points()));  // (n, n)
  lscan::Rng rng(1, 0);
  double c[2];
  for (int64_t i = 0; i < grid.num_points(); ++i) {
    grid.coefficients(i, c);
    f[static_cast<size_t>(i)] = rastrigin(c[0], c[1]) + rng.uniform(-1e-6, 1e-6);
  }
  std::vector<double> white(f.size());  // (n, n) uniform noise
  for (double& x : white) x = rng.uniform();
  lscan::Grid line;
  line.axes = {{-0.5, 1.5, n}};
  std::vector<double> path(static_cast<size_t>(n));  // (n)
  for (int i = 0; i < n; ++i) {
    const double t = line.axes[0].at(i);
    path[static_cast<size_t>(i)] = 4 * (t - t * t) + 0.01 * std::cos(40 * t);
  }
  lscan::NoiseModel noise;
  noise.relative = 0x1.0p-24 * 20;

  struct Row {
    std::string name;
    std::string work;
    std::function<std::string()> run;
  };
  const double line_pairs = [&] {
    double s = 0;
    for (int d = 2; d <= n - 1; d += 2) s += n - d;
    return 2.0 * n * s;
  }();
  char work[128];
  std::snprintf(work, sizeof work, "%.3g line pairs + %lld off-line", line_pairs,
                static_cast<long long>(offline));
  const std::vector<Row> rows = {
      {"grid_curvature s=1", "all points",
       [&] {
         const auto m = lscan::grid_curvature(grid, f, 1, noise);
         return std::to_string(m.negative) + " negative";
       }},
      {"grid_curvature s=4", "all points",
       [&] {
         const auto m = lscan::grid_curvature(grid, f, 4, noise);
         return std::to_string(m.negative) + " negative";
       }},
      {"jensen_violations", work,
       [&] {
         lscan::JensenOptions opt;
         opt.offline_pairs = offline;
         const auto j = lscan::jensen_violations(grid, f, noise, opt);
         return std::to_string(j.lines.violations) + " violations";
       }},
      {"critical_points", "all points, Rastrigin",
       [&] {
         const auto cp = lscan::critical_points(grid, f, noise);
         return std::to_string(cp.minima) + " minima, " + std::to_string(cp.adjacent.size()) +
                " basin pairs";
       }},
      {"critical_points", "all points, pure noise",
       [&] {
         const auto cp = lscan::critical_points(grid, white, noise);
         return std::to_string(cp.minima) + " minima, " + std::to_string(cp.adjacent.size()) +
                " basin pairs";
       }},
      {"path_barrier (1-D)", std::to_string(n) + " points",
       [&] {
         const auto p = lscan::path_barrier(line, path, noise);
         char b[64];
         std::snprintf(b, sizeof b, "barrier %.4f", p.barrier);
         return std::string(b);
       }},
  };

  std::printf("lscan analysis reducers, %d x %d surface, median of %d runs\n", n, n, runs);
  std::printf("device: %s, %d OpenMP threads\n\n", cpu_name().c_str(), omp_get_max_threads());
  std::printf("| %-20s | %-36s | %10s | %-34s |\n", "reducer", "work", "seconds", "result");
  std::printf("|%s|%s|%s|%s|\n", std::string(22, '-').c_str(), std::string(38, '-').c_str(),
              std::string(12, '-').c_str(), std::string(36, '-').c_str());
  for (const Row& r : rows) {
    std::vector<double> t;
    std::string result;
    for (int i = 0; i < runs; ++i) {
      const double t0 = now();
      result = r.run();
      t.push_back(now() - t0);
    }
    std::printf("| %-20s | %-36s | %10.3f | %-34s |\n", r.name.c_str(), r.work.c_str(), median(t),
                result.c_str());
  }
  return 0;
}
