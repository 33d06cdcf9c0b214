#include "host/cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "host/core/error.h"

namespace lscan {

int run_cli(int argc, char** argv) {
  CLI::App app{"lscan: GPU-accelerated loss-landscape scanner"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace lscan
