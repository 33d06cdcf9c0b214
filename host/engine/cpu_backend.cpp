// The CPU backend: the engine of DESIGN.md with OpenBLAS GEMMs and OpenMP loops over points.
//
// For a tile of B points and a chunk of Nc samples (k directions, layer widths n_0 = d, n_1..n_L):
//   Cext (B, k+1) = [1, C]
//   layer 1, factorised when k + 1 < d:
//     P  ((k+1) n_1, Nc) = [W0; D_1; ..; D_k] ((k+1) n_1, d) * Xc^T (d, Nc)      one GEMM per chunk
//     Z1 (B, n_1 Nc)     = Cext (B, k+1) * P ((k+1), n_1 Nc)                     one GEMM per chunk
//   deeper layers (and layer 1 when not factorised), per tile:
//     Wp_l (B, n_l n_{l-1}) = Cext * [W0_l; D_1,l; ..]   then per point Z_l = Wp_l[b] * A_{l-1}
//   biases per tile: Bp_l (B, n_l) = Cext * [b0_l; db_1,l; ..]
//   loss: one fp64 running sum per point over the samples in order.
#include <cblas.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "host/core/error.h"
#include "host/engine/backend.h"
#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

namespace {

// C (M, N) = A (M, K) * op(B) + beta C, row-major; op(B) = B (K, N) or B^T with B (N, K).
void gemm(bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
          const float* Bm, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A,
              lda, Bm, ldb, beta, C, ldc);
}
void gemm(bool trans_b, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
          const double* Bm, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, 1.0, A,
              lda, Bm, ldb, beta, C, ldc);
}

template <class T>
class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const EvalSetup& s) : s_(s) {
    const Model& model = *s.model;
    const auto& layers = model.spec.layers;
    k_ = static_cast<int64_t>(s.directions->size());
    n_ = s.data->n;
    d_ = s.data->d;
    L_ = static_cast<int>(layers.size());
    threads_ = std::max(1, omp_get_max_threads());
    factorise_ = k_ + 1 < d_;

    Xt_.assign(s.data->X.begin(), s.data->X.end());  // (N, d)
    // Stacked weights and biases per layer: row 0 from theta0, row i from direction i.
    Wstack_.resize(L_);
    Bstack_.resize(L_);
    for (int l = 0; l < L_; ++l) {
      const DenseLayer& layer = layers[l];
      const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
      Wstack_[l].resize(static_cast<size_t>((k_ + 1) * wsize));            // (k+1, n_l n_{l-1})
      Bstack_[l].assign(static_cast<size_t>((k_ + 1) * layer.out), T(0));  // (k+1, n_l)
      for (int64_t i = 0; i <= k_; ++i) {
        const double* src = i == 0 ? model.theta.data() : (*s.directions)[i - 1].v.data();
        std::copy_n(src + layer.w_offset, wsize, Wstack_[l].begin() + i * wsize);
        if (layer.b_offset >= 0)
          std::copy_n(src + layer.b_offset, layer.out, Bstack_[l].begin() + i * layer.out);
      }
    }
    max_width_ = 1;
    for (int l = factorise_ ? 1 : 0; l < L_; ++l) max_width_ = std::max(max_width_, layers[l].out);
    size_tiles();
  }

  std::string name() const override { return "cpu"; }
  int64_t max_tile() const override { return tile_; }
  int64_t chunk() const override { return chunk_; }

  void evaluate(const double* coeffs, int64_t B, double* loss, double* acc) override {
    if (B <= 0) return;
    if (B > tile_) throw std::invalid_argument("evaluate: tile larger than max_tile()");
    const auto& layers = s_.model->spec.layers;
    const int64_t K1 = k_ + 1;
    std::vector<T> Cext(static_cast<size_t>(B * K1));  // (B, k+1)
    for (int64_t b = 0; b < B; ++b) {
      Cext[b * K1] = T(1);
      for (int64_t i = 0; i < k_; ++i) Cext[b * K1 + 1 + i] = static_cast<T>(coeffs[b * k_ + i]);
    }
    // Per-point weights of the materialised layers and per-point biases of all layers.
    std::vector<std::vector<T>> Wp(L_), Bp(L_);
    for (int l = 0; l < L_; ++l) {
      const int64_t wsize = static_cast<int64_t>(layers[l].out) * layers[l].in;
      if (l > 0 || !factorise_) {
        Wp[l].resize(static_cast<size_t>(B * wsize));  // (B, n_l n_{l-1})
        gemm(false, B, wsize, K1, Cext.data(), K1, Wstack_[l].data(), wsize, T(0), Wp[l].data(),
             wsize);
      }
      Bp[l].resize(static_cast<size_t>(B * layers[l].out));  // (B, n_l)
      gemm(false, B, layers[l].out, K1, Cext.data(), K1, Bstack_[l].data(), layers[l].out, T(0),
           Bp[l].data(), layers[l].out);
    }

    const int n1 = layers[0].out;
    const int m = s_.model->spec.output_dim();
    const LossKind kind = s_.model->spec.loss;
    const int tw = s_.targets->width;
    std::vector<double> sums(static_cast<size_t>(B), 0.0), correct(static_cast<size_t>(B), 0.0);
    std::vector<T> P, Z1;
    if (factorise_) {
      P.resize(static_cast<size_t>(K1 * n1 * chunk_));  // ((k+1) n_1, Nc)
      Z1.resize(static_cast<size_t>(B * n1 * chunk_));  // (B, n_1, Nc)
    }
    std::vector<T> scratch(static_cast<size_t>(threads_ * 2 * max_width_ * chunk_));

    for (int64_t s0 = 0; s0 < n_; s0 += chunk_) {
      const int64_t Nc = std::min(chunk_, n_ - s0);
      const T* Xc = Xt_.data() + s0 * d_;  // (Nc, d)
      if (factorise_) {
        gemm(true, K1 * n1, Nc, d_, Wstack_[0].data(), d_, Xc, d_, T(0), P.data(), Nc);
        gemm(false, B, n1 * Nc, K1, Cext.data(), K1, P.data(), n1 * Nc, T(0), Z1.data(), n1 * Nc);
      }
#pragma omp parallel for schedule(dynamic, 1)
      for (int64_t b = 0; b < B; ++b) {
        T* buf[2];
        buf[0] = scratch.data() + static_cast<int64_t>(omp_get_thread_num()) * 2 * max_width_ * Nc;
        buf[1] = buf[0] + max_width_ * Nc;
        int which = 0;
        T* cur;  // (n_l, Nc)
        int first;
        if (factorise_) {
          cur = Z1.data() + b * n1 * Nc;
          bias_activation(cur, Bp[0].data() + b * n1, n1, Nc, layers[0]);
          first = 1;
        } else {
          cur = buf[0];
          gemm(true, n1, Nc, d_, Wp[0].data() + b * n1 * d_, d_, Xc, d_, T(0), cur, Nc);
          bias_activation(cur, Bp[0].data() + b * n1, n1, Nc, layers[0]);
          which = 1;
          first = 1;
        }
        for (int l = first; l < L_; ++l) {
          const DenseLayer& layer = layers[l];
          T* out = buf[which];
          which ^= 1;
          const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
          gemm(false, layer.out, Nc, layer.in, Wp[l].data() + b * wsize, layer.in, cur, Nc, T(0),
               out, Nc);
          bias_activation(out, Bp[l].data() + b * layer.out, layer.out, Nc, layer);
          cur = out;
        }
        const double* y = s_.targets->y.data() + s0 * tw;
        // One running fp64 sum per point, over samples in order: the result does not depend on
        // the tile or the chunk size.
        double sum = sums[b], ok_count = correct[b];
        for (int64_t j = 0; j < Nc; ++j) {
          int ok = 0;
          sum += sample_loss(kind, cur + j, Nc, m, y + j * tw, &ok);
          ok_count += ok;
        }
        sums[b] = sum;
        correct[b] = ok_count;
      }
    }
    const double n = static_cast<double>(n_);
    for (int64_t b = 0; b < B; ++b) {
      loss[b] = sums[b] / n;
      acc[b] = s_.data->classification ? correct[b] / n : 0.0;
    }
  }

 private:
  // Z (n, Nc) <- act(Z + bias), bias (n).
  static void bias_activation(T* Z, const T* bias, int n, int64_t Nc, const DenseLayer& layer) {
    const T alpha = static_cast<T>(layer.alpha);
    for (int i = 0; i < n; ++i) {
      T* row = Z + i * Nc;
      const T bi = bias[i];
      for (int64_t j = 0; j < Nc; ++j) row[j] = activate(layer.act, row[j] + bi, alpha);
    }
  }

  // Bytes of one tile's buffers for B points and chunks of Nc samples.
  double tile_bytes(int64_t B, int64_t Nc) const {
    const auto& layers = s_.model->spec.layers;
    const double t = sizeof(T);
    const int64_t n1 = layers[0].out;
    double per_point = (k_ + 1) * t + 2 * sizeof(double);
    for (int l = 0; l < L_; ++l) {
      if (l > 0 || !factorise_) per_point += t * layers[l].out * static_cast<double>(layers[l].in);
      per_point += t * layers[l].out;
    }
    double fixed = t * threads_ * 2.0 * max_width_ * Nc;
    if (factorise_) {
      per_point += t * n1 * static_cast<double>(Nc);
      fixed += t * (k_ + 1) * n1 * static_cast<double>(Nc);
    }
    return fixed + per_point * B;
  }

  void size_tiles() {
    double budget = s_.max_memory;
    if (budget <= 0) budget = std::min(physical_memory_bytes() / 4, 8.0 * (1ull << 30));
    // Halve the chunk until a tile holds enough points to keep every core busy; the tile then
    // takes whatever the budget leaves.
    const int64_t want = 4 * static_cast<int64_t>(threads_);
    chunk_ = s_.chunk > 0 ? std::min(s_.chunk, n_) : n_;
    auto fit = [&](int64_t Nc) {
      const double one = tile_bytes(1, Nc) - tile_bytes(0, Nc);
      const double room = budget - tile_bytes(0, Nc);
      return room <= 0 ? int64_t(0) : static_cast<int64_t>(room / one);
    };
    if (s_.chunk <= 0)
      while (chunk_ > 1 && fit(chunk_) < want) chunk_ = (chunk_ + 1) / 2;
    tile_ = s_.tile > 0 ? s_.tile : fit(chunk_);
    if (tile_ < 1) {
      std::ostringstream os;
      os << "the memory budget of " << budget / (1 << 20) << " MiB holds no tile: one point with "
         << chunk_ << " samples per chunk needs " << tile_bytes(1, chunk_) / (1 << 20) << " MiB";
      input_error("", "--max-memory", os.str());
    }
  }

  EvalSetup s_;
  int64_t k_ = 0, n_ = 0, d_ = 0;
  int L_ = 0;
  int threads_ = 1;
  bool factorise_ = false;
  int max_width_ = 1;  // widest layer computed in per-thread scratch
  int64_t tile_ = 1, chunk_ = 1;
  std::vector<T> Xt_;                   // (N, d)
  std::vector<std::vector<T>> Wstack_;  // per layer (k+1, n_l n_{l-1})
  std::vector<std::vector<T>> Bstack_;  // per layer (k+1, n_l)
};

}  // namespace

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::FP64:
      return "fp64";
    case Precision::FP32:
      return "fp32";
    case Precision::TF32:
      return "tf32";
    case Precision::BF16:
      return "bf16";
  }
  return "?";
}

Precision parse_precision(const std::string& s) {
  if (s == "fp64") return Precision::FP64;
  if (s == "fp32") return Precision::FP32;
  if (s == "tf32") return Precision::TF32;
  if (s == "bf16") return Precision::BF16;
  input_error("", "--precision", "expected fp64, fp32, tf32 or bf16, got '" + s + "'");
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * page : 4.0 * (1ull << 30);
}

void check_eval_setup(const EvalSetup& s) {
  if (!s.model || !s.directions || !s.data || !s.targets)
    throw std::invalid_argument("EvalSetup: model, directions, data and targets are required");
  const size_t P = s.model->theta.size();
  for (size_t i = 0; i < s.directions->size(); ++i)
    if ((*s.directions)[i].v.size() != P)
      input_error("", "direction " + std::to_string(i),
                  "expected " + std::to_string(P) +
                      " entries (the model's parameter count), found " +
                      std::to_string((*s.directions)[i].v.size()));
  if (s.data->n < 1) input_error(s.data->description, "samples", "the data set is empty");
  if (s.data->d != s.model->spec.input_dim)
    input_error(s.data->description, "features",
                "the model expects " + std::to_string(s.model->spec.input_dim) +
                    " features, the data has " + std::to_string(s.data->d));
  if (static_cast<int64_t>(s.targets->y.size()) != s.data->n * s.targets->width)
    throw std::invalid_argument("EvalSetup: targets do not match the data");
  if (s.model->spec.layers.empty()) input_error("", "model", "the model has no layers");
}

std::unique_ptr<Backend> make_cpu_backend(const EvalSetup& setup) {
  check_eval_setup(setup);
  switch (setup.precision) {
    case Precision::FP64:
      return std::make_unique<CpuBackend<double>>(setup);
    case Precision::FP32:
      return std::make_unique<CpuBackend<float>>(setup);
    default:
      input_error("", "--precision",
                  std::string(precision_name(setup.precision)) +
                      " runs on tensor cores and needs the CUDA backend; the CPU backend " +
                      "evaluates fp32 and fp64");
  }
}

}  // namespace lscan
