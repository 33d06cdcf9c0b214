#include "host/model/targets.h"

#include <cmath>

#include "host/core/error.h"
#include "host/core/format.h"

namespace lscan {

Targets make_targets(const ModelSpec& spec, const Dataset& data, const std::string& source) {
  const int m = spec.output_dim();
  if (data.d != spec.input_dim)
    input_error(source, "features",
                "the model's input_dim is " + std::to_string(spec.input_dim) +
                    " but the data has " + std::to_string(data.d) + " features per sample");
  Targets t;
  const auto n = static_cast<size_t>(data.n);
  if (loss_uses_class_index(spec.loss)) {
    if (!data.classification || data.ty != 1)
      input_error(source, "labels",
                  std::string("loss ") + loss_name(spec.loss) +
                      " needs one integer class label per sample");
    for (size_t i = 0; i < n; ++i) {
      const double v = data.Y[i];
      if (v < 0 || v >= m || v != std::floor(v))
        input_error(source, "labels[" + std::to_string(i) + "]",
                    "label " + format_number(v) + " is out of range: the model has " +
                        std::to_string(m) + " outputs, so labels must be 0.." +
                        std::to_string(m - 1));
    }
    t.width = 1;
    t.y = data.Y;
  } else if (loss_is_binary(spec.loss)) {
    if (m != 1)
      input_error(source, "model",
                  std::string("loss ") + loss_name(spec.loss) +
                      " needs a model with one output (a logit), found " + std::to_string(m));
    if (data.ty != 1)
      input_error(source, "labels",
                  "binary targets must be one value per sample, found " + std::to_string(data.ty));
    for (size_t i = 0; i < n; ++i) {
      const double v = data.Y[i];
      if (!(v >= 0.0 && v <= 1.0))
        input_error(source, "labels[" + std::to_string(i) + "]",
                    "target " + format_number(v) + " is out of range: expected a value in [0, 1]");
    }
    t.width = 1;
    t.y = data.Y;
  } else {  // mse
    if (data.classification && data.ty == 1 && m > 1) {
      t.width = m;
      t.y.assign(n * m, 0.0);
      for (size_t i = 0; i < n; ++i) {
        const double v = data.Y[i];
        if (v < 0 || v >= m || v != std::floor(v))
          input_error(source, "labels[" + std::to_string(i) + "]",
                      "label " + format_number(v) + " is out of range for one-hot mse targets: " +
                          "expected 0.." + std::to_string(m - 1));
        t.y[i * m + static_cast<size_t>(v)] = 1.0;
      }
    } else {
      if (data.ty != m)
        input_error(source, "targets",
                    "loss mse needs " + std::to_string(m) + " target values per sample (one per " +
                        "model output), found " + std::to_string(data.ty));
      t.width = m;
      t.y = data.Y;
    }
  }
  return t;
}

}  // namespace lscan
