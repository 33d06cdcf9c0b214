// Whole runs of lscan on a CUDA device against the same runs on the CPU, written once for a real
// device (test_gpu_cli.cpp, test_gpu_analysis.cpp) and for the emulated one
// (cuda_emu/test_emu_cli.cpp): `lscan scan --device cuda` in every precision, with the data on
// the device and streamed through it; its errors; and the verdicts of a scan reduced in process.
// The command lines run the binary that LSCAN_BINARY names: lscan, or lscan_emu (the command line
// on the emulated device) in the emulated tests.
//
// Bounds: the loss maps follow engine_tolerance (engine_suite.h) against the CPU at the same
// precision (tf32 and bf16 against the CPU's fp32). Accuracies: fp64 equal; fp32 within one
// sample (a logit tie broken differently by an fp32 rounding); tf32 and bf16 only in [0, 100].
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine_suite.h"
#include "file_test_util.h"
#include "host/analysis/scan_analysis.h"
#include "host/engine/surface_scan.h"
#include "host/io/surface_file.h"
#include "random_problems.h"

namespace lscan::testing {

using testing_util::read_bytes;

// 400 training and 100 test samples.
inline constexpr const char* kDeviceRunData = "spirals:n=500,classes=3,seed=1";

// A 2-16-16-3 tanh/relu classifier, trained for 30 epochs on the CPU: m.json and m.safetensors.
inline void write_device_run_model(const testing_util::ScratchDir& dir) {
  testing_util::write_bytes(
      dir.file("m.json"),
      R"({"input_dim": 2, "layers": [{"type": "linear", "out": 16}, {"type": "tanh"},
          {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 3}],
          "loss": "cross_entropy"})");
  const testing_util::CliRun r = testing_util::run_lscan(
      dir, std::string("train --model m.json --data ") + kDeviceRunData +
               " --epochs 30 --seed 2 --weights-dtype f64 --device cpu -q --out m");
  ASSERT_EQ(r.code, 0) << r.err;
}

// A 9 x 7 scan of the train and test sets of kDeviceRunData.
inline std::string device_scan_args(const char* precision) {
  return std::string("scan --model m.json --weights m.safetensors --data ") + kDeviceRunData +
         " --test-fraction 0.2 --x -1:1:9 --y -1:0.5:7 --seed 5 --precision " + precision + " ";
}

// The loss and accuracy maps of a device's scan against the CPU's (bounds above).
inline void expect_device_surface_matches(const SurfaceFile& got, const SurfaceFile& want,
                                          Precision p) {
  for (const char* set : {"train", "test"}) {
    SCOPED_TRACE(set);
    const std::vector<double>& loss = got.maps.at(std::string(set) + "_loss");
    const std::vector<double>& acc = got.maps.at(std::string(set) + "_acc");
    const std::vector<double>& want_loss = want.maps.at(std::string(set) + "_loss");
    const std::vector<double>& want_acc = want.maps.at(std::string(set) + "_acc");
    ASSERT_EQ(loss.size(), want_loss.size());
    const double one_sample = 100.0 / got.number_attrs.at(std::string(set) + "_samples");
    for (size_t i = 0; i < loss.size(); ++i) {
      ASSERT_TRUE(std::isfinite(loss[i])) << "point " << i;
      EXPECT_LT(rel_err(loss[i], want_loss[i]), engine_tolerance(p)) << "point " << i;
      if (p == Precision::FP64) {
        EXPECT_EQ(acc[i], want_acc[i]) << "point " << i;
      } else if (p == Precision::FP32) {
        EXPECT_LE(std::fabs(acc[i] - want_acc[i]), one_sample * 1.000001) << "point " << i;
      } else {
        EXPECT_TRUE(acc[i] >= 0 && acc[i] <= 100) << "point " << i << ": " << acc[i];
      }
    }
  }
}

// `lscan scan --device cuda:<device>` in every precision against `--device cpu`, and in fp64 and
// fp32 once more with the data streamed in chunks of a few dozen samples (--max-memory 16K). The
// device's runs name it on stderr, in the summary line and in the file's backend attribute.
inline void expect_cli_scans_match_cpu(int device = 0) {
  const std::string cuda = "cuda:" + std::to_string(device);
  testing_util::ScratchDir dir;
  write_device_run_model(dir);
  if (::testing::Test::HasFatalFailure()) return;
  for (const char* prec : {"fp64", "fp32", "tf32", "bf16"}) {
    SCOPED_TRACE(prec);
    const Precision p = parse_precision(prec);
    const bool on_cpu = p == Precision::FP64 || p == Precision::FP32;
    const std::string cpu_out = std::string("c_") + (on_cpu ? prec : "fp32") + ".h5";
    if (!std::filesystem::exists(dir.file(cpu_out))) {
      const testing_util::CliRun cpu = testing_util::run_lscan(
          dir, device_scan_args(on_cpu ? prec : "fp32") + "--device cpu -q --out " + cpu_out);
      ASSERT_EQ(cpu.code, 0) << cpu.err;
    }
    const SurfaceFile want = read_surface(dir.file(cpu_out));
    std::vector<std::string> memories = {""};
    if (on_cpu) memories.push_back("--max-memory 16K ");
    for (const std::string& memory : memories) {
      SCOPED_TRACE(memory.empty() ? "the default budget" : memory);
      const std::string out = std::string("g_") + prec + (memory.empty() ? "" : "_16K");
      const testing_util::CliRun gpu = testing_util::run_lscan(
          dir, device_scan_args(prec) + memory + "--device " + cuda + " --out " + out + ".h5");
      ASSERT_EQ(gpu.code, 0) << gpu.err;
      EXPECT_NE(gpu.err.find("device: " + cuda + " ("), std::string::npos) << gpu.err;
      EXPECT_NE(gpu.out.find(std::string(prec) + " on " + cuda), std::string::npos) << gpu.out;
      const SurfaceFile got = read_surface(dir.file(out + ".h5"));
      EXPECT_EQ(got.text_attrs.at("backend"), cuda);
      if (memory.empty()) {  // the training set's plan: all 400 samples in one chunk
        const nlohmann::json summary = nlohmann::json::parse(read_bytes(dir.file(out + ".json")));
        EXPECT_EQ(summary["timing"]["chunk"], 400) << summary["timing"];
      }
      EXPECT_EQ(got.text_attrs.at("precision"), prec);
      EXPECT_EQ(got.directions, want.directions);
      expect_device_surface_matches(got, want, p);
    }
  }
}

// `--device auto` takes the device and says which; an index past the last device, and a memory
// budget that holds no tile, are errors that name the flag (exit code 2) and leave no output.
inline void expect_cli_device_choice_and_errors() {
  // Outside a job with several processes per node, auto takes device 0 (see
  // EmuCli.AutoTakesTheDeviceOfTheLocalRank).
  testing_util::ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", nullptr);
  testing_util::ScopedEnv mpich("MPI_LOCALRANKID", nullptr);
  testing_util::ScopedEnv slurm("SLURM_LOCALID", nullptr);
  testing_util::ScratchDir dir;
  write_device_run_model(dir);
  if (::testing::Test::HasFatalFailure()) return;
  testing_util::CliRun r =
      testing_util::run_lscan(dir, device_scan_args("fp32") + "--device auto --out a.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("device: cuda:0 ("), std::string::npos) << r.err;
  EXPECT_EQ(read_surface(dir.file("a.h5")).text_attrs.at("backend"), "cuda:0");

  struct Bad {
    std::string args;
    std::vector<std::string> parts;
  };
  const std::vector<Bad> bad = {
      {device_scan_args("fp32") + "--device cuda:99 --out b.h5", {"--device", "cuda:99"}},
      {device_scan_args("fp64") + "--device cuda --max-memory 2K --out b.h5",
       {"--max-memory", "holds no tile", "needs"}},
      {std::string("train --model m.json --data ") + kDeviceRunData +
           " --epochs 2 --device cuda --max-memory 2K --out b",
       {"--max-memory", "training on cuda:0 needs at least"}},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.args);
    r = testing_util::run_lscan(dir, b.args);
    EXPECT_EQ(r.code, 2) << r.err;
    for (const std::string& part : b.parts)
      EXPECT_NE(r.err.find(part), std::string::npos) << part << " in\n" << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    for (const char* file : {"b.h5", "b.json", "b.safetensors"})
      EXPECT_FALSE(std::filesystem::exists(dir.file(file))) << file;
  }
}

// A surface scanned on the device and reduced gives the same counts as the same surface scanned
// on the CPU (fp64, where both surfaces agree to ~1e-14 and no count sits within that of its
// threshold on these smooth problems); the Hessian probe's extra points go through the device
// too.
inline void expect_analysis_counts_match_cpu(uint64_t seed) {
  const Model model = random_model({6, 12, 3}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 200, seed);
  std::vector<SetAnalysis> results;
  for (const bool cuda : {false, true}) {
    ScanRequest req;
    req.model = &model;
    req.train = &data;
    req.directions = random_directions(model, 2, seed);
    req.grid.axes = {GridAxis{-2, 2, 25}, GridAxis{-2, 2, 25}};
    req.precision = Precision::FP64;
    req.device.cuda = cuda;
    const Surface s = scan_surface(req);
    EXPECT_EQ(s.backend, cuda ? "cuda:0" : "cpu");
    ScanAnalysisOptions o;
    o.probe = true;
    o.probe_options.directions = 4;
    o.probe_options.stride = 6;
    results.push_back(analyze_scan(req, s, o).front());
  }
  const SetAnalysis &cpu = results[0], &gpu = results[1];
  EXPECT_EQ(gpu.convex_within_noise, cpu.convex_within_noise);
  ASSERT_EQ(gpu.curvature.size(), cpu.curvature.size());
  for (size_t i = 0; i < cpu.curvature.size(); ++i) {
    EXPECT_EQ(gpu.curvature[i].directional_significant, cpu.curvature[i].directional_significant);
    EXPECT_EQ(gpu.curvature[i].significant_negative, cpu.curvature[i].significant_negative);
  }
  EXPECT_EQ(gpu.jensen.lines.significant, cpu.jensen.lines.significant);
  EXPECT_EQ(gpu.jensen.offline.significant, cpu.jensen.offline.significant);
  EXPECT_EQ(gpu.critical.minima, cpu.critical.minima);
  EXPECT_EQ(gpu.critical.saddles, cpu.critical.saddles);
  EXPECT_EQ(gpu.critical.significant_minima, cpu.critical.significant_minima);
  ASSERT_TRUE(gpu.probe && cpu.probe);
  EXPECT_NEAR(gpu.probe->mean_trace, cpu.probe->mean_trace,
              1e-6 * std::fabs(cpu.probe->mean_trace));
}

}  // namespace lscan::testing
