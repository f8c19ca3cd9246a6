#include "gaussian_process.hpp"

#include <cmath>
#include <numbers>
#include <torch/special.h>

namespace bertlab::gp {
namespace {

const auto kFloat64 = torch::TensorOptions().dtype(torch::kFloat64);

// Optuna's Matern52Kernel autograd function: the derivative with respect to
// the squared distance is finite at zero, while autograd through sqrt is not.
struct Matern52Function : public torch::autograd::Function<Matern52Function> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& squared_distance) {
    const auto sqrt5d = torch::sqrt(5.0 * squared_distance);
    const auto exp_part = torch::exp(-sqrt5d);
    const auto value = exp_part * ((5.0 / 3.0) * squared_distance + sqrt5d + 1.0);
    ctx->save_for_backward({(-5.0 / 6.0) * (sqrt5d + 1.0) * exp_part});
    return value;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output) {
    return {ctx->get_saved_variables()[0] * grad_output[0]};
  }
};

torch::Tensor gamma_log_prior(const torch::Tensor& x, double concentration, double rate) {
  return (concentration - 1.0) * torch::log(x) - rate * x;  // without the normalising constant
}

KernelParams unpack(const torch::Tensor& raw, std::int64_t dims, const FitOptions& options) {
  KernelParams params;
  params.inverse_squared_lengthscales = torch::exp(raw.slice(0, 0, dims));
  params.kernel_scale = torch::exp(raw[dims]);
  params.noise_var = options.deterministic_objective ? torch::tensor(options.minimum_noise, kFloat64)
                                                     : torch::exp(raw[dims + 1]) + options.minimum_noise;
  return params;
}

KernelParams detached(const KernelParams& p) {
  return {p.inverse_squared_lengthscales.detach(), p.kernel_scale.detach(), p.noise_var.detach()};
}

}  // namespace

KernelParams KernelParams::defaults(std::int64_t dims) {
  return {torch::ones({dims}, kFloat64), torch::tensor(1.0, kFloat64), torch::tensor(1.0, kFloat64)};
}

torch::Tensor matern52(const torch::Tensor& squared_distance) { return Matern52Function::apply(squared_distance); }

torch::Tensor kernel(const KernelParams& params, const torch::Tensor& is_categorical, const torch::Tensor& X1,
                     const torch::Tensor& X2) {
  const auto difference = X1.unsqueeze(-2) - X2.unsqueeze(-3);  // [..., n1, n2, D]
  auto squared = difference * difference;
  // Categorical dimensions hold choice indices: Hamming distance, 0 or 1.
  if (is_categorical.any().item<bool>()) squared = torch::where(is_categorical, (squared > 0).to(torch::kFloat64), squared);
  return matern52((squared * params.inverse_squared_lengthscales).sum(-1)) * params.kernel_scale;
}

torch::Tensor log_marginal_likelihood(const KernelParams& params, const torch::Tensor& is_categorical,
                                      const torch::Tensor& X, const torch::Tensor& y) {
  // Through the Cholesky factor C = L L^T: log det C = 2 sum log diag L and
  // y^T C^-1 y = |L^-1 y|^2 (the derivation is in Optuna's gp.py).
  const std::int64_t n = X.size(0);
  const auto cov = kernel(params, is_categorical, X, X) + params.noise_var * torch::eye(n, kFloat64);
  const auto L = torch::linalg_cholesky(cov);
  const auto u = torch::linalg_solve_triangular(L, y.unsqueeze(-1), /*upper=*/false).squeeze(-1);
  return -L.diagonal().log().sum() - 0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi) -
         0.5 * u.dot(u);
}

torch::Tensor log_prior(const KernelParams& params) {
  // Optuna picked these by heuristics (prior.py's default_log_prior); kept as they are.
  const auto& isl = params.inverse_squared_lengthscales;
  return -(0.1 / isl + 0.1 * isl).sum() + gamma_log_prior(params.kernel_scale, 2.0, 1.0) +
         gamma_log_prior(params.noise_var, 1.1, 30.0);
}

torch::Tensor fit_loss(const KernelParams& params, const torch::Tensor& is_categorical, const torch::Tensor& X,
                       const torch::Tensor& y) {
  return -(log_marginal_likelihood(params, is_categorical, X, y) + log_prior(params));
}

KernelParams fit_kernel_params(const torch::Tensor& X, const torch::Tensor& y, const torch::Tensor& is_categorical,
                               const FitOptions& options) {
  const std::int64_t dims = X.size(1);
  const KernelParams defaults = KernelParams::defaults(dims);
  if (X.size(0) == 0) return defaults;
  torch::AutoGradMode enable_grad(true);
  // Log-transformed parameters keep them positive (Optuna: constraints make
  // the likelihood unstable). The noise starts just above its floor's 1%.
  auto raw = torch::zeros({dims + 2}, kFloat64);
  raw[dims + 1] = std::log(1.0 - 0.99 * options.minimum_noise);
  raw.set_requires_grad(true);
  try {
    // Optuna minimises with scipy's L-BFGS-B and gtol 1e-2 ("too small a
    // gtol makes the fit unstable"); LibTorch's tolerance_grad is the same
    // max-norm test.
    torch::optim::LBFGS optimizer({raw}, torch::optim::LBFGSOptions(1.0)
                                             .max_iter(options.max_iterations)
                                             .tolerance_grad(1e-2)
                                             .tolerance_change(1e-9)
                                             .history_size(10)
                                             .line_search_fn("strong_wolfe"));
    optimizer.step([&] {
      optimizer.zero_grad();
      auto loss = fit_loss(unpack(raw, dims, options), is_categorical, X, y);
      loss.backward();
      return loss;
    });
    torch::NoGradGuard no_grad;
    KernelParams fitted = detached(unpack(raw, dims, options));
    const double loss = fit_loss(fitted, is_categorical, X, y).item<double>();
    if (std::isfinite(loss) && torch::isfinite(raw).all().item<bool>()) return fitted;
  } catch (const c10::Error&) {
    // A covariance that lost positive definiteness on the way: use the defaults.
  }
  KernelParams fallback = defaults;
  if (options.deterministic_objective) fallback.noise_var = torch::tensor(options.minimum_noise, kFloat64);
  return fallback;
}

GaussianProcess::GaussianProcess(KernelParams params, torch::Tensor is_categorical, torch::Tensor X, torch::Tensor y)
    : params_(detached(params)), is_categorical_(std::move(is_categorical)), X_(std::move(X)), y_(std::move(y)) {
  torch::NoGradGuard no_grad;
  const std::int64_t n = X_.size(0);
  const auto eye = torch::eye(n, kFloat64);
  const auto cov = kernel(params_, is_categorical_, X_, X_) + params_.noise_var * eye;
  // Duplicate points with a tiny noise can make the matrix numerically
  // singular; a growing jitter restores a factorisation.
  torch::Tensor L;
  for (double jitter : {0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2}) {
    auto [factor, info] = torch::linalg_cholesky_ex(cov + jitter * eye);
    L = factor;
    if (info.item<std::int64_t>() == 0) break;
  }
  cov_inverse_ = torch::cholesky_inverse(L);
  cov_inverse_y_ = cov_inverse_.matmul(y_);
}

std::pair<torch::Tensor, torch::Tensor> GaussianProcess::posterior(const torch::Tensor& x) const {
  const auto k = kernel(params_, is_categorical_, x.unsqueeze(-2), X_).squeeze(-2);  // [..., n]
  const auto mean = k.matmul(cov_inverse_y_);
  // kernel(x, x) is the kernel scale for Matérn; clamp the rounding below zero.
  const auto var = params_.kernel_scale - (k * k.matmul(cov_inverse_)).sum(-1);
  return {mean, var.clamp_min(0.0)};
}

GaussianProcess GaussianProcess::with_observations(const torch::Tensor& X_extra, const torch::Tensor& y_extra) const {
  return GaussianProcess(params_, is_categorical_, torch::cat({X_, X_extra}), torch::cat({y_, y_extra}));
}

torch::Tensor standard_log_ei(const torch::Tensor& z) {
  // Ament et al. 2023, eq. 9, as Optuna's acqf.standard_logei: the direct
  // formula down to z = -25, below it the erfcx form, which neither
  // underflows nor cancels. Each branch sees z clamped to its own side so
  // that the unused one stays finite and where() passes no NaN gradient.
  constexpr double kSplit = -25.0;
  const double sqrt_half = std::sqrt(0.5), inv_sqrt_2pi = 1.0 / std::sqrt(2.0 * std::numbers::pi);
  const double log_sqrt_2pi = 0.5 * std::log(2.0 * std::numbers::pi), sqrt_half_pi = std::sqrt(0.5 * std::numbers::pi);
  const auto z_normal = z.clamp_min(kSplit);
  const auto direct =
      torch::log(0.5 * z_normal * torch::erfc(-sqrt_half * z_normal) + torch::exp(-0.5 * z_normal * z_normal) * inv_sqrt_2pi);
  const auto z_small = z.clamp_max(kSplit);
  const auto tail = -0.5 * z_small * z_small - log_sqrt_2pi +
                    torch::log(1.0 + sqrt_half_pi * z_small * torch::special::erfcx(-sqrt_half * z_small));
  return torch::where(z < kSplit, tail, direct);
}

torch::Tensor log_ei(const torch::Tensor& mean, const torch::Tensor& var, double best) {
  const auto sigma = torch::sqrt(var);
  return standard_log_ei((best - mean) / sigma) + torch::log(sigma);
}

torch::Tensor log_ei_acquisition(const GaussianProcess& gp, double best, const torch::Tensor& x) {
  auto [mean, var] = gp.posterior(x);
  return log_ei(mean, var + 1e-12, best);  // Optuna's stabilizing_noise: the gradient is NaN at var = 0
}

}  // namespace bertlab::gp
