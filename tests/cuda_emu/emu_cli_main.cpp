// lscan_emu: the lscan command line with its CUDA device emulated (emu_device.h), so that
// `--device auto|cuda|cuda:N` scans, analyses and training run the CUDA backend end to end on a
// machine without a GPU. device.cpp, surface_scan.cpp and backprop.cpp are compiled again for it
// with emu_bench_names.h, which points their device list and CUDA factories at the emulated ones.
//
// The device is set from the environment:
//   LSCAN_EMU_DEVICES   how many devices, 1 to 8 (default 1)
//   LSCAN_EMU_MEMORY    each device's capacity in bytes, with an optional K, M or G suffix
//                       (default 1G)
//   LSCAN_EMU_SCHEDULE  lazy (default), random or eager (emu::Schedule)
//   LSCAN_EMU_SEED      seed of the random schedule (default 1)
//   LSCAN_EMU_SIMT      1: kernels run as their own code, thread by thread
// After the command, anything the device caught (an operand out of bounds, a read of unwritten
// memory, work left on a stream, an allocation not freed) is printed and the exit code is 3, so
// that a test can tell it from lscan's own exit codes (0, 1 and 2).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "emu_device.h"
#include "host/cli/app.h"

namespace {

// Exits with code 2 and a message naming the variable when its value is not understood.
[[noreturn]] void bad_variable(const char* name, const char* value, const char* expected) {
  std::fprintf(stderr, "lscan_emu: %s='%s': expected %s\n", name, value, expected);
  std::exit(2);
}

lscan::emu::Config config_from_environment() {
  lscan::emu::Config c;
  if (const char* v = std::getenv("LSCAN_EMU_MEMORY")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    const char* suffixes = "KMG";
    const char* suffix = *end ? std::strchr(suffixes, *end) : nullptr;
    const size_t scale = suffix ? size_t(1) << (10 * (suffix - suffixes + 1)) : 1;
    if (suffix) ++end;
    if (end == v || *end != '\0' || n == 0)
      bad_variable("LSCAN_EMU_MEMORY", v, "a positive byte count, optionally with K, M or G");
    c.memory_bytes = static_cast<size_t>(n) * scale;
  }
  if (const char* v = std::getenv("LSCAN_EMU_DEVICES")) {
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 1 || n > lscan::emu::kMaxDevices)
      bad_variable("LSCAN_EMU_DEVICES", v, "1 to 8");
    c.devices = static_cast<int>(n);
  }
  if (const char* v = std::getenv("LSCAN_EMU_SCHEDULE")) {
    if (!std::strcmp(v, "lazy"))
      c.schedule = lscan::emu::Schedule::Lazy;
    else if (!std::strcmp(v, "random"))
      c.schedule = lscan::emu::Schedule::Random;
    else if (!std::strcmp(v, "eager"))
      c.schedule = lscan::emu::Schedule::Eager;
    else
      bad_variable("LSCAN_EMU_SCHEDULE", v, "lazy, random or eager");
  }
  if (const char* v = std::getenv("LSCAN_EMU_SEED")) {
    char* end = nullptr;
    c.seed = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0') bad_variable("LSCAN_EMU_SEED", v, "an unsigned integer");
  }
  if (const char* v = std::getenv("LSCAN_EMU_SIMT")) {
    if (std::strcmp(v, "0") && std::strcmp(v, "1")) bad_variable("LSCAN_EMU_SIMT", v, "0 or 1");
    c.simt = !std::strcmp(v, "1");
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  namespace emu = lscan::emu;
  emu::configure(config_from_environment());
  const int code = lscan::run_cli(argc, argv);
  std::string caught;
  for (const std::string& v : emu::violations()) caught += "  " + v + "\n";
  if (!emu::idle()) caught += "  work left on a stream that nothing waited for\n";
  if (emu::live_device_allocations() > 0 || emu::live_host_allocations() > 0)
    caught += "  " + std::to_string(emu::live_device_allocations()) + " device and " +
              std::to_string(emu::live_host_allocations()) + " pinned host allocations not freed\n";
  if (caught.empty()) return code;
  std::fprintf(stderr, "lscan_emu: the emulated device caught (lscan exited with %d):\n%s", code,
               caught.c_str());
  return 3;
}
