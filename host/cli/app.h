// The command-line interface: lscan scan | train | demo. Returns the process exit code
// (0 success, 2 bad input or usage, 1 internal failure).
#pragma once

namespace lscan {

int run_cli(int argc, char** argv);

}  // namespace lscan
