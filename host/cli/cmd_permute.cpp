// lscan permute: a copy of a model with the units of its hidden layers reordered. Same function,
// same loss, different parameters: a scan along --model-b between the two shows the barrier that
// permutation symmetry puts between copies of one minimum.
#include <cstdio>

#include "host/cli/commands.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/model/model_io.h"
#include "host/model/permute.h"

namespace lscan {

CLI::App* add_permute_command(CLI::App& app, PermuteOptions& o) {
  CLI::App* c = app.add_subcommand(
      "permute", "Write a copy of a model with its hidden units permuted (same loss)");
  c->footer(R"(Example:
  lscan permute --model mlp.json --weights mlp.safetensors --seed 1 --out mlp_perm
  lscan scan --model mlp.json --weights mlp.safetensors --model-b mlp_perm.safetensors \
             --data spirals:n=1000,classes=3 --x 0:1:51 --out path.h5)");
  c->add_option("--model", o.model, "Model spec (JSON)")->required();
  c->add_option("--weights", o.weights, "Model weights (safetensors)")->required();
  c->add_option("--layer", o.layer,
                "Hidden layer to permute (index into the spec's linear layers); default: all")
      ->capture_default_str();
  c->add_option("--seed", o.seed, "Seed of the random permutation")->capture_default_str();
  c->add_option("-o,--out", o.out, "Output prefix: writes OUT.json and OUT.safetensors")
      ->required();
  c->add_flag("-q,--quiet", o.quiet, "Print nothing");
  return c;
}

int run_permute_command(const PermuteOptions& o) {
  check_writable(o.out + ".json", "--out");
  check_writable(o.out + ".safetensors", "--out");
  Model m = load_model(o.model, o.weights);
  const int hidden = static_cast<int>(m.spec.layers.size()) - 1;
  if (hidden < 1) input_error(o.model, "layers", "the model has no hidden layer to permute");
  if (o.layer < -1 || o.layer >= hidden)
    input_error("", "--layer",
                "expected -1 (all) or a hidden layer 0.." + std::to_string(hidden - 1) + ", got " +
                    std::to_string(o.layer));
  for (int l = 0; l < hidden; ++l) {
    if (o.layer >= 0 && l != o.layer) continue;
    permute_hidden_units(m, l,
                         random_permutation(m.spec.layers[static_cast<size_t>(l)].out,
                                            o.seed + static_cast<uint64_t>(l)));
  }
  save_model(m, o.out + ".json", o.out + ".safetensors", "F64");
  if (!o.quiet) std::printf("wrote %s.json and %s.safetensors\n", o.out.c_str(), o.out.c_str());
  return 0;
}

}  // namespace lscan
