// The command line on the emulated device (lscan_emu, emu_cli_main.cpp): the GPU's whole-run tests
// (device_run_suite.h, train_suite.h) under each schedule and with the kernels' own code, and what
// only an emulated device can arrange: a device smaller than the memory budget, and one too full
// for cuBLAS's workspace. lscan_emu exits with 3 when the device caught a misuse, so every
// expected exit code below also says that it caught none.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include "device_run_suite.h"
#include "emu_test_util.h"
#include "file_test_util.h"
#include "train_suite.h"

namespace lscan::testing {
namespace {

using testing_util::CliRun;
using testing_util::run_lscan;
using testing_util::ScopedEnv;
using testing_util::ScratchDir;

TEST(EmuCli, ScansMatchTheCpuInEveryPrecision) {
  expect_cli_scans_match_cpu();
}

TEST(EmuCli, ScansMatchTheCpuUnderTheRandomSchedule) {
  ScopedEnv schedule("LSCAN_EMU_SCHEDULE", "random");
  ScopedEnv seed("LSCAN_EMU_SEED", std::to_string(emu_config(emu::Schedule::Random).seed));
  expect_cli_scans_match_cpu();
}

TEST(EmuCli, ScansMatchTheCpuWithTheKernelsOwnCode) {
  ScopedEnv simt("LSCAN_EMU_SIMT", "1");
  expect_cli_scans_match_cpu();
}

// cuda:1 of two devices (every piece of work on another device than the current one, or with an
// operand of another device, is a misuse that lscan_emu reports with exit code 3).
TEST(EmuCli, ScansMatchTheCpuOnTheSecondDevice) {
  ScopedEnv devices("LSCAN_EMU_DEVICES", "2");
  expect_cli_scans_match_cpu(1);
}

TEST(EmuCli, DeviceChoiceAndErrors) {
  expect_cli_device_choice_and_errors();
}

// In a job with several processes per node, --device auto spreads them over the node's GPUs by
// their local rank (mod the device count); Open MPI's variable comes before MPICH's and Slurm's,
// one that is not a rank is passed over, and an explicit --device is kept as given.
TEST(EmuCli, AutoTakesTheDeviceOfTheLocalRank) {
  ScratchDir dir;
  write_device_run_model(dir);
  ASSERT_FALSE(HasFatalFailure());
  ScopedEnv devices("LSCAN_EMU_DEVICES", "3");
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", nullptr);
  ScopedEnv mpich("MPI_LOCALRANKID", nullptr);
  ScopedEnv slurm("SLURM_LOCALID", "4");
  const std::string scan = device_scan_args("fp64");
  CliRun r = run_lscan(dir, scan + "--device auto --out a.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(
      r.err.find("device: cuda:1 (lscan emulated device), chosen by local rank 4 (SLURM_LOCALID) "
                 "among 3 devices"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(read_surface(dir.file("a.h5")).text_attrs.at("backend"), "cuda:1");

  {
    ScopedEnv ompi_rank("OMPI_COMM_WORLD_LOCAL_RANK", "2");
    ScopedEnv mpich_rank("MPI_LOCALRANKID", "0");
    r = run_lscan(dir, scan + "--device auto --out b.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("device: cuda:2 (lscan emulated device), chosen by local rank 2 "
                         "(OMPI_COMM_WORLD_LOCAL_RANK)"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(read_surface(dir.file("b.h5")).text_attrs.at("backend"), "cuda:2");
  }
  {
    ScopedEnv junk("OMPI_COMM_WORLD_LOCAL_RANK", "node-a");
    r = run_lscan(dir, scan + "--device auto --out c.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(
                  "device: cuda:1 (lscan emulated device), chosen by local rank 4 (SLURM_LOCALID)"),
              std::string::npos)
        << r.err;
  }
  r = run_lscan(dir, scan + "--device cuda --out d.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("device: cuda:0 (lscan emulated device)\n"), std::string::npos) << r.err;
  EXPECT_EQ(read_surface(dir.file("d.h5")).text_attrs.at("backend"), "cuda:0");
}

TEST(EmuCli, TrainingMatchesTheCpu) {
  expect_cli_training_matches_cpu();
}

TEST(EmuAnalysis, SameCountsAsTheCpu) {
  emu::configure(emu_config(emu::Schedule::Lazy));
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_analysis_counts_match_cpu(seed);
  EXPECT_TRUE(emu::violations().empty());
  EXPECT_EQ(emu::live_device_allocations(), 0u);
}

// A budget (--max-memory 1G) larger than the device (33 MiB, of which cuBLAS's workspace takes
// 32): the tile planned for all 63 points does not fit, the backend halves it until it does, and
// the surface is the CPU's. A device 0.2 MiB smaller holds no single point: an error that says
// how much one point needs (which also shows that 63 points need more than the 1 MiB left).
TEST(EmuCli, DeviceSmallerThanTheBudgetHalvesTheTile) {
  ScratchDir dir;
  write_device_run_model(dir);
  ASSERT_FALSE(HasFatalFailure());
  const std::string scan = device_scan_args("fp64") + "--max-memory 1G ";
  ASSERT_EQ(run_lscan(dir, scan + "--device cpu -q --out c.h5").code, 0);
  {
    ScopedEnv memory("LSCAN_EMU_MEMORY", "32800K");
    const CliRun r = run_lscan(dir, scan + "--device cuda -q --out small.h5");
    EXPECT_EQ(r.code, 2) << r.err;
    std::smatch m;
    const std::regex needs(R"(one point with \d+ samples per chunk needs (\d+) bytes)");
    ASSERT_TRUE(std::regex_search(r.err, m, needs)) << r.err;
    EXPECT_NE(r.err.find("--max-memory"), std::string::npos) << r.err;
    EXPECT_GT(63 * std::stod(m[1].str()), 1024.0 * 1024.0);
    EXPECT_FALSE(std::filesystem::exists(dir.file("small.h5")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("small.json")));
  }
  ScopedEnv memory("LSCAN_EMU_MEMORY", "33M");
  const CliRun r = run_lscan(dir, scan + "--device cuda -q --out g.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_device_surface_matches(read_surface(dir.file("g.h5")), read_surface(dir.file("c.h5")),
                                Precision::FP64);
}

// A device with less free memory than cuBLAS's 32 MiB workspace: scans and training stop with a
// message that says what was needed and what was free, naming the flag (exit code 2).
TEST(EmuCli, DeviceTooFullForTheWorkspace) {
  ScratchDir dir;
  write_device_run_model(dir);
  ASSERT_FALSE(HasFatalFailure());
  ScopedEnv memory("LSCAN_EMU_MEMORY", "10M");
  struct Case {
    std::string args, flag;
  };
  for (const Case& c : {Case{device_scan_args("fp32") + "--device cuda --out g.h5", "--device: "},
                        Case{device_scan_args("fp32") + "--device cuda --max-memory 1G --out g.h5",
                             "--max-memory: "},
                        Case{std::string("train --model m.json --data ") + kDeviceRunData +
                                 " --epochs 2 --device cuda --out g",
                             "--device: "}}) {
    SCOPED_TRACE(c.args);
    const CliRun r = run_lscan(dir, c.args);
    EXPECT_EQ(r.code, 2) << r.err;
    for (const std::string& part :
         {c.flag + "cuda:0 is out of memory", std::string("cuBLAS's handle and workspace need "),
          std::string("10 MiB of 10 MiB were free")})
      EXPECT_NE(r.err.find(part), std::string::npos) << part << " in\n" << r.err;
    for (const char* file : {"g.h5", "g.json", "g.safetensors"})
      EXPECT_FALSE(std::filesystem::exists(dir.file(file))) << file;
  }
}

// lscan_emu's own settings: a value it does not understand is an error naming the variable.
TEST(EmuCli, BadDeviceSettingIsAnError) {
  ScratchDir dir;
  for (const char* name :
       {"LSCAN_EMU_DEVICES", "LSCAN_EMU_MEMORY", "LSCAN_EMU_SCHEDULE", "LSCAN_EMU_SIMT"}) {
    ScopedEnv bad(name, "often");
    const CliRun r = run_lscan(dir, "--version");
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_NE(r.err.find(std::string(name) + "='often'"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace lscan::testing
