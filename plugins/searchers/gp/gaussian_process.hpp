// Gaussian-process regression and log expected improvement, in float64
// LibTorch, after Optuna's optuna/_gp/{gp.py, prior.py, acqf.py}:
//  - Matérn-5/2 kernel with automatic relevance determination: one inverse
//    squared lengthscale per dimension, a kernel scale and a noise variance;
//    categorical dimensions contribute their Hamming distance (0 or 1);
//  - kernel parameters fitted by maximising the log marginal likelihood plus
//    Optuna's default log prior (prior.py), on log-transformed parameters
//    with L-BFGS, starting from Optuna's defaults (all ones);
//  - log EI computed stably for very negative z (Ament et al. 2023,
//    "Unexpected Improvements to Expected Improvement", eq. 9).
//
// Unlike Optuna, which maximises, values here are losses to minimise: the
// improvement of y over the best loss `best` is max(0, best - y).
#pragma once

#include <cstdint>
#include <utility>

#include <torch/autograd.h>
#include <torch/optim/lbfgs.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace bertlab::gp {

// Optuna's DEFAULT_MINIMUM_NOISE_VAR: the noise variance never goes below it.
inline constexpr double kMinimumNoise = 1e-6;

struct KernelParams {
  torch::Tensor inverse_squared_lengthscales;  // [D]
  torch::Tensor kernel_scale;                  // scalar
  torch::Tensor noise_var;                     // scalar

  // Optuna's initial values: every parameter 1 (fit_kernel_params).
  static KernelParams defaults(std::int64_t dims);
};

// exp(-sqrt(5 d2)) * (5/3 d2 + sqrt(5 d2) + 1) with its derivative in d2
// written out: autograd through sqrt would divide by zero at d2 = 0.
torch::Tensor matern52(const torch::Tensor& squared_distance);

// The kernel matrix [..., n1, n2] of X1 [..., n1, D] and X2 [..., n2, D].
// `is_categorical` is a bool [D] tensor.
torch::Tensor kernel(const KernelParams& params, const torch::Tensor& is_categorical, const torch::Tensor& X1,
                     const torch::Tensor& X2);

// log p(y | X, params), constants included.
torch::Tensor log_marginal_likelihood(const KernelParams& params, const torch::Tensor& is_categorical,
                                      const torch::Tensor& X, const torch::Tensor& y);
// Optuna's default_log_prior (prior.py): a hand-made prior on the inverse
// squared lengthscales, Gamma(2, 1) on the kernel scale, Gamma(1.1, 30) on
// the noise variance (constant factors omitted).
torch::Tensor log_prior(const KernelParams& params);
// What the fit minimises: -(log marginal likelihood + log prior).
torch::Tensor fit_loss(const KernelParams& params, const torch::Tensor& is_categorical, const torch::Tensor& X,
                       const torch::Tensor& y);

struct FitOptions {
  double minimum_noise = kMinimumNoise;
  // The objective is noise-free: the noise variance stays at minimum_noise
  // (Optuna's deterministic_objective).
  bool deterministic_objective = false;
  std::int64_t max_iterations = 200;
};

// Maximum a posteriori kernel parameters, starting from the defaults. If
// the optimisation breaks down (a covariance that is not positive definite,
// non-finite values) the defaults are returned, as Optuna falls back to them.
KernelParams fit_kernel_params(const torch::Tensor& X, const torch::Tensor& y, const torch::Tensor& is_categorical,
                               const FitOptions& options = {});

class GaussianProcess {
 public:
  // Caches the inverse covariance of the training points (Optuna's _cache_matrix).
  GaussianProcess(KernelParams params, torch::Tensor is_categorical, torch::Tensor X, torch::Tensor y);

  // Posterior mean and variance [...] at x [..., D]; differentiable in x.
  std::pair<torch::Tensor, torch::Tensor> posterior(const torch::Tensor& x) const;
  // The same kernel parameters conditioned on more points (pending trials
  // with imagined values); the parameters are not refitted.
  GaussianProcess with_observations(const torch::Tensor& X_extra, const torch::Tensor& y_extra) const;

  const KernelParams& params() const { return params_; }
  const torch::Tensor& is_categorical() const { return is_categorical_; }
  const torch::Tensor& X() const { return X_; }
  const torch::Tensor& y() const { return y_; }

 private:
  KernelParams params_;
  torch::Tensor is_categorical_, X_, y_;
  torch::Tensor cov_inverse_;    // (K + noise I)^-1
  torch::Tensor cov_inverse_y_;  // (K + noise I)^-1 y
};

// log E_{u ~ N(0,1)}[max(0, u + z)] = log(z Phi(z) + phi(z)), stable for z << 0.
torch::Tensor standard_log_ei(const torch::Tensor& z);
// log E[max(0, best - Y)] for Y ~ N(mean, var), var > 0.
torch::Tensor log_ei(const torch::Tensor& mean, const torch::Tensor& var, double best);

// The acquisition the searcher maximises: log EI of the GP posterior at x
// [..., D], with Optuna's stabilising 1e-12 added to the variance.
torch::Tensor log_ei_acquisition(const GaussianProcess& gp, double best, const torch::Tensor& x);

}  // namespace bertlab::gp
