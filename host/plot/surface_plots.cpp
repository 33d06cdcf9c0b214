#include "host/plot/surface_plots.h"

#include <cmath>

#include "host/analysis/analyze.h"
#include "host/plot/plot.h"
#include "kernels/minima.cuh"

namespace lscan {

namespace {

// The (nx, ny) slice of a map at z index iz (the whole map in 2-D).
std::vector<double> slice(const std::vector<double>& map, const std::vector<GridAxis>& axes,
                          int iz) {
  if (axes.size() < 3) return map;
  const int nx = axes[0].num, ny = axes[1].num, nz = axes[2].num;
  std::vector<double> out(static_cast<size_t>(nx) * ny);
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < ny; ++j)
      out[static_cast<size_t>(i) * ny + j] =
          map[(static_cast<size_t>(i) * ny + j) * nz + static_cast<size_t>(iz)];
  return out;
}

int mark_kind(double critical_kind) {
  switch (static_cast<CriticalKind>(static_cast<int>(critical_kind))) {
    case CriticalKind::Minimum:
      return 0;
    case CriticalKind::Maximum:
      return 1;
    case CriticalKind::Saddle:
      return 2;
    case CriticalKind::BoundaryMinimum:
      return 3;
    default:
      return -1;
  }
}

const std::vector<double>* find_map(const SurfaceFile& f, const std::string& name) {
  const auto it = f.maps.find(name);
  return it == f.maps.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<std::string> plot_surface_file(const SurfaceFile& file, const std::string& prefix) {
  std::vector<std::string> written;
  const auto& axes = file.axes;
  const int iz = axes.size() == 3 ? axes[2].num / 2 : 0;
  const std::string where =
      axes.size() == 3 ? " (z = " + std::to_string(axes[2].at(iz)) + ")" : std::string();
  for (const char* set : {"train", "test"}) {
    const std::vector<double>* loss = find_map(file, std::string(set) + "_loss");
    if (!loss) continue;
    const std::string base = prefix + "_" + set;
    if (axes.size() == 1) {
      CurvePlot p;
      p.title = std::string(set) + " loss along the line";
      p.xlabel = "t";
      p.x = axes[0].coordinates();
      p.y = *loss;
      // The chord between t = 0 and t = 1 when both are grid points, else between the ends.
      const Grid grid{axes};
      size_t a = 0, b = p.x.size() - 1;
      if (grid_holds_path_ends(grid)) {
        for (size_t i = 0; i < p.x.size(); ++i) {
          if (std::fabs(p.x[i]) < std::fabs(p.x[a])) a = i;
          if (std::fabs(p.x[i] - 1) < std::fabs(p.x[b] - 1)) b = i;
        }
      }
      p.chord = std::isfinite(p.y[a]) && std::isfinite(p.y[b]);
      p.x0 = p.x[a];
      p.y0 = p.y[a];
      p.x1 = p.x[b];
      p.y1 = p.y[b];
      double best = 0;
      size_t at = a;
      for (size_t i = a; i <= b; ++i) {
        const double t = (p.x[i] - p.x0) / (p.x1 - p.x0);
        const double excess = p.y[i] - ((1 - t) * p.y0 + t * p.y1);
        if (std::isfinite(excess) && excess > best) {
          best = excess;
          at = i;
        }
      }
      if (best > 0) p.mark_x.push_back(p.x[at]);
      const std::string path = base + "_loss.png";
      plot_curve_png(path, p);
      written.push_back(path);
      continue;
    }
    ContourPlot p;
    p.title = std::string(set) + " loss" + where;
    p.x = axes[0];
    p.y = axes[1];
    p.z = slice(*loss, axes, iz);
    bool positive = false;
    for (double v : p.z) positive |= v > 0 && std::isfinite(v);
    p.log_scale = positive;
    if (const auto* kinds = find_map(file, std::string(set) + "_critical_kind")) {
      const std::vector<double> k = slice(*kinds, axes, iz);
      for (int i = 0; i < axes[0].num; ++i)
        for (int j = 0; j < axes[1].num; ++j) {
          const int kind = mark_kind(k[static_cast<size_t>(i) * axes[1].num + j]);
          if (kind >= 0) p.marks.push_back({axes[0].at(i), axes[1].at(j), kind});
        }
    }
    std::string path = base + "_loss.png";
    plot_contour_png(path, p);
    written.push_back(path);

    const auto* lmin = find_map(file, std::string(set) + "_lambda_min");
    const auto* tau = find_map(file, std::string(set) + "_curvature_tau");
    if (!lmin || !tau) continue;
    ContourPlot c;
    c.title = std::string(set) + " loss: smallest Hessian eigenvalue in the plane" + where;
    c.value_label = "lambda_min";
    c.x = axes[0];
    c.y = axes[1];
    c.z = slice(*lmin, axes, iz);
    const std::vector<double> t = slice(*tau, axes, iz);
    c.outline.resize(c.z.size());
    bool finite = false;
    for (size_t i = 0; i < c.z.size(); ++i) {
      finite |= std::isfinite(c.z[i]);
      c.outline[i] = c.z[i] < -t[i] ? 1.0 : 0.0;
    }
    if (!finite) continue;  // too few points for an interior
    c.outline_label = "lambda_min < -tau";
    path = base + "_lambda_min.png";
    plot_contour_png(path, c);
    written.push_back(path);
  }
  return written;
}

}  // namespace lscan
