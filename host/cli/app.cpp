#include "host/cli/app.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>

#include "host/cli/commands.h"
#include "host/cli/version.h"
#include "host/core/error.h"

namespace lscan {

int run_cli(int argc, char** argv) {
  CLI::App app{"lscan " LSCAN_VERSION
               ": loss-landscape scanner. Evaluates a model's full-data loss on dense grids of "
               "weight-space perturbations, in parallel on the CPU or GPU."};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.footer(R"(Examples:
  lscan demo                                    # no input needed
  lscan train --model mlp.json --data spirals:n=1000,classes=3 --out mlp
  lscan scan --model mlp.json --weights mlp.safetensors --data spirals:n=1000,classes=3 \
             --x -1:1:51 --y -1:1:51 --out surface.h5
Run 'lscan COMMAND --help' for a command's options.)");
  ScanOptions scan;
  TrainCommandOptions train;
  DemoOptions demo;
  PermuteOptions permute;
  AnalyzeOptions analyze;
  PlotOptions plot;
  CLI::App* scan_cmd = add_scan_command(app, scan);
  CLI::App* train_cmd = add_train_command(app, train);
  CLI::App* demo_cmd = add_demo_command(app, demo);
  CLI::App* permute_cmd = add_permute_command(app, permute);
  CLI::App* analyze_cmd = add_analyze_command(app, analyze);
  CLI::App* plot_cmd = add_plot_command(app, plot);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (scan_cmd->parsed()) return run_scan_command(scan, joined_command_line(argc, argv));
    if (train_cmd->parsed()) return run_train_command(train);
    if (demo_cmd->parsed()) return run_demo_command(demo);
    if (permute_cmd->parsed()) return run_permute_command(permute);
    if (analyze_cmd->parsed()) return run_analyze_command(analyze);
    if (plot_cmd->parsed()) return run_plot_command(plot);
  } catch (const InputError& e) {
    std::fprintf(stderr, "lscan: error: %s\n", e.what());
    return 2;
  } catch (const OutOfMemoryError& e) {
    std::fprintf(stderr, "lscan: error: out of memory: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    // Not a bug and not bad input: the model, data or tile does not fit this machine's memory.
    std::fprintf(stderr,
                 "lscan: error: out of host memory; use a smaller model, data set or grid, or "
                 "lower --max-memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lscan: internal error: %s\n", e.what());
    return 1;
  }
  return 2;
}

}  // namespace lscan
