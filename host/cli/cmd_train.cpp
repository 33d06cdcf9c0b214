// lscan train: full-batch gradient descent or Adam on the CPU or a CUDA device; writes spec +
// safetensors.
#include <cstdio>
#include <optional>

#include "host/cli/commands.h"
#include "host/cli/progress.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/engine/device.h"
#include "host/model/model_io.h"
#include "host/model/spec_io.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"
#include "host/train/train.h"

namespace lscan {

CLI::App* add_train_command(CLI::App& app, TrainCommandOptions& o) {
  CLI::App* c = app.add_subcommand("train", "Train a model (full batch) and save spec + weights");
  c->footer(R"(Examples:
  # an MLP on a generated data set, from a seeded PyTorch-style initialisation
  lscan train --model mlp.json --data spirals:n=1000,classes=3 --epochs 2000 --out mlp
  # continue from saved weights with gradient descent, hold out 20% as test data
  lscan train --model mlp.json --weights mlp.safetensors --data X.npy --labels y.npy \
              --test-fraction 0.2 --optimizer gd --lr 0.1 --out mlp2
Writes OUT.json (the spec) and OUT.safetensors (PyTorch state_dict names).)");
  c->add_option("--model", o.model, "Model spec (JSON)")->required();
  c->add_option("--weights", o.weights,
                "Initial weights (default: PyTorch's nn.Linear initialisation from --seed)");
  add_data_options(*c, o.data);
  c->add_option("--optimizer", o.optimizer, "adam or gd")->capture_default_str();
  c->add_option("--lr", o.lr, "Learning rate")->capture_default_str();
  c->add_option("--epochs", o.epochs, "Full-batch steps")->capture_default_str();
  c->add_option("--weight-decay", o.weight_decay, "L2 coefficient added to the gradient")
      ->capture_default_str();
  c->add_option("--tol", o.tol, "Stop when the gradient's largest entry is below this")
      ->capture_default_str();
  c->add_option("--seed", o.seed, "Seed of the initial weights")->capture_default_str();
  c->add_option("--weights-dtype", o.dtype, "f32 or f64 for the saved weights")
      ->capture_default_str();
  add_run_options(*c, o.run, RunKind::Train);
  c->add_option("-o,--out", o.out, "Output prefix: writes OUT.json and OUT.safetensors")
      ->required();
  return c;
}

namespace {

std::string strip_suffix(const std::string& s) {
  for (const char* suffix : {".safetensors", ".json"}) {
    const std::string x = suffix;
    if (s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0)
      return s.substr(0, s.size() - x.size());
  }
  return s;
}

}  // namespace

int run_train_command(const TrainCommandOptions& o) {
  TrainOptions opt;
  opt.optimizer = o.optimizer;
  opt.lr = o.lr;
  opt.epochs = o.epochs;
  opt.weight_decay = o.weight_decay;
  opt.tol = o.tol;
  validate_train_options(opt);
  if (o.dtype != "f32" && o.dtype != "f64")
    input_error("", "--weights-dtype", "expected f32 or f64, got '" + o.dtype + "'");
  const std::string prefix = strip_suffix(o.out);
  check_writable(prefix + ".json", "--out");
  check_writable(prefix + ".safetensors", "--out");
  const DeviceChoice device = choose_device(o.run.device);
  const double max_memory = parse_bytes(o.run.max_memory, "--max-memory");
  if (!o.run.quiet) std::fprintf(stderr, "%s\n", device.notice.c_str());

  Model model = o.weights.empty() ? init_model(read_spec(o.model), o.seed)
                                  : load_model(o.model, o.weights, o.data.train.allow_nonfinite);
  LoadedData data = load_data(o.data);
  const Targets targets = make_targets(model.spec, data.train, data.train.description);
  std::optional<Targets> test_targets;
  if (data.test) test_targets = make_targets(model.spec, *data.test, data.test->description);

  const auto loss =
      make_loss_gradient(device, max_memory, model.spec, model.num_params(), data.train, targets);
  Progress progress("train", "epochs", Progress::wanted(o.run.quiet));
  const TrainReport r = train_model(model, *loss, opt,
                                    [&](int epoch, double) { progress.update(epoch, opt.epochs); });
  progress.finish();

  try {
    save_model(model, prefix + ".json", prefix + ".safetensors", o.dtype == "f64" ? "F64" : "F32");
  } catch (const InputError& e) {
    if (o.dtype == "f64") throw;
    // Weights beyond float's range (a diverged run, or a huge learning rate): say which flag.
    throw InputError(std::string(e.what()) + " (--weights-dtype f64)");
  }
  if (!o.run.quiet) {
    std::printf("train: %s, %d steps, %.2f s on %s (fp64)\n", opt.optimizer.c_str(), r.epochs_run,
                r.seconds, loss->device().c_str());
    std::printf("  train loss %.6g", r.loss);
    if (data.train.classification) std::printf(", accuracy %.2f%%", 100 * r.accuracy);
    std::printf(", gradient norm %.3g\n", r.grad_norm);
    if (data.test) {
      double acc = 0;
      const double test_loss = make_loss_gradient(device, max_memory, model.spec,
                                                  model.num_params(), *data.test, *test_targets)
                                   ->evaluate(model.theta.data(), nullptr, &acc);
      std::printf("  test loss  %.6g", test_loss);
      if (data.test->classification) std::printf(", accuracy %.2f%%", 100 * acc);
      std::printf("\n");
    }
    std::printf("wrote %s.json and %s.safetensors\n", prefix.c_str(), prefix.c_str());
  }
  return 0;
}

}  // namespace lscan
