// lscan plot: PNG pictures of a surface file.
#include <cstdio>

#include "host/cli/commands.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/io/surface_file.h"
#include "host/plot/surface_plots.h"

namespace lscan {

CLI::App* add_plot_command(CLI::App& app, PlotOptions& o) {
  CLI::App* c = app.add_subcommand("plot", "PNG pictures of a surface file");
  c->footer(R"(Example:
  lscan plot surface.h5                 # surface_train_loss.png, surface_train_lambda_min.png
  lscan plot path.h5 --prefix figs/path # a 1-D path: the loss with its chord and barrier
Minima, saddles and the negative-curvature outline come from the analysis maps that
`lscan scan` (or `lscan analyze --out`) writes.)");
  c->add_option("file", o.file, "Surface file (HDF5)")->required();
  c->add_option("--prefix", o.prefix, "Prefix of the PNG files (default: the file's stem)");
  c->add_flag("-q,--quiet", o.quiet, "Print nothing");
  return c;
}

int run_plot_command(const PlotOptions& o) {
  const std::string prefix = o.prefix.empty() ? strip_extension(o.file) : o.prefix;
  check_writable(prefix + "_train_loss.png", o.prefix.empty() ? "file" : "--prefix");
  const SurfaceFile file = read_surface(o.file);
  const auto written = plot_surface_file(file, prefix);
  if (written.empty()) input_error(o.file, "train_loss", "the file holds no loss map to plot");
  if (!o.quiet)
    for (const std::string& w : written) std::printf("wrote %s\n", w.c_str());
  return 0;
}

}  // namespace lscan
