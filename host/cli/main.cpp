#include "host/cli/app.h"

int main(int argc, char** argv) {
  return lscan::run_cli(argc, argv);
}
