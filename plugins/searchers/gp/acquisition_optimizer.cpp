#include "acquisition_optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>

namespace bertlab::gp {
namespace {

using Row = std::vector<double>;

constexpr std::size_t kMaxExhaustiveGrid = 32;
constexpr std::int64_t kGridNeighbours = 8;
constexpr std::int64_t kGridSpread = 16;
constexpr int kMaxRounds = 5;
constexpr int kMaxBacktracks = 20;
constexpr std::size_t kMemory = 10;  // L-BFGS history pairs
constexpr double kProjectedGradientTolerance = 1e-2;

double dot(const Row& a, const Row& b) { return std::inner_product(a.begin(), a.end(), b.begin(), 0.0); }

torch::Tensor to_tensor(const std::vector<Row>& rows, std::size_t dims) {
  auto t = torch::empty({static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(dims)}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t d = 0; d < dims; ++d) a[static_cast<std::int64_t>(r)][static_cast<std::int64_t>(d)] = rows[r][d];
  return t;
}
Row to_row(const torch::Tensor& t) { return Row(t.data_ptr<double>(), t.data_ptr<double>() + t.numel()); }

class Acquisition {
 public:
  Acquisition(const GaussianProcess& gp, double best, std::size_t dims) : gp_(gp), best_(best), dims_(dims) {}

  Row values(const std::vector<Row>& rows) const {
    if (rows.empty()) return {};
    torch::NoGradGuard no_grad;
    return to_row(log_ei_acquisition(gp_, best_, to_tensor(rows, dims_)).contiguous());
  }
  // Values and gradients in x of a batch of points.
  std::pair<Row, std::vector<Row>> values_and_gradients(const std::vector<Row>& rows) const {
    torch::AutoGradMode enable_grad(true);
    auto x = to_tensor(rows, dims_).requires_grad_(true);
    auto value = log_ei_acquisition(gp_, best_, x);
    auto gradient = torch::autograd::grad({value.sum()}, {x})[0].contiguous();
    std::vector<Row> gradients(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) gradients[r] = to_row(gradient[static_cast<std::int64_t>(r)]);
    return {to_row(value.detach().contiguous()), gradients};
  }

 private:
  const GaussianProcess& gp_;
  double best_;
  std::size_t dims_;
};

// L-BFGS two-loop recursion: the quasi-Newton step -H g from the stored pairs.
Row lbfgs_direction(const Row& g, const std::deque<std::pair<Row, Row>>& memory) {
  Row q = g;
  std::vector<double> alpha(memory.size());
  for (std::size_t i = memory.size(); i-- > 0;) {
    const auto& [s, y] = memory[i];
    alpha[i] = dot(s, q) / dot(y, s);
    for (std::size_t k = 0; k < q.size(); ++k) q[k] -= alpha[i] * y[k];
  }
  if (!memory.empty()) {
    const auto& [s, y] = memory.back();
    const double gamma = dot(s, y) / dot(y, y);
    for (double& v : q) v *= gamma;
  }
  for (std::size_t i = 0; i < memory.size(); ++i) {
    const auto& [s, y] = memory[i];
    const double beta = dot(y, q) / dot(y, s);
    for (std::size_t k = 0; k < q.size(); ++k) q[k] += (alpha[i] - beta) * s[k];
  }
  for (double& v : q) v = -v;
  return q;
}

class LocalSearch {
 public:
  LocalSearch(const Acquisition& acquisition, const SearchSpaceEncoding& encoding, const KernelParams& params,
              std::int64_t max_iterations)
      : acquisition_(acquisition), encoding_(encoding), max_iterations_(max_iterations) {
    const auto isl = params.inverse_squared_lengthscales.contiguous();
    for (std::size_t d = 0; d < encoding.size(); ++d) {
      if (!encoding.dimensions()[d].grid.empty()) continue;
      continuous_.push_back(d);
      lengthscales_.push_back(1.0 / std::sqrt(isl[static_cast<std::int64_t>(d)].item<double>()));
    }
  }

  // Refines every row of `x` in place; `values` holds their log EI.
  void run(std::vector<Row>& x, Row& values) const {
    for (int round = 0; round < kMaxRounds; ++round) {
      const bool moved = continuous_phase(x, values);
      bool switched = false;
      for (std::size_t d = 0; d < encoding_.size(); ++d)
        if (!encoding_.dimensions()[d].grid.empty()) switched = discrete_phase(d, x, values) || switched;
      if (!moved && !switched) break;
    }
  }

 private:
  // Projected L-BFGS on h(z) = -log EI, z = x / lengthscale on the continuous dimensions.
  bool continuous_phase(std::vector<Row>& x, Row& values) const {
    if (continuous_.empty()) return false;
    const std::size_t rows = x.size(), n = continuous_.size();
    struct State {
      Row z, g, upper;
      double h = 0;
      std::deque<std::pair<Row, Row>> memory;
      bool active = true;
    };
    auto [v0, g0] = acquisition_.values_and_gradients(x);
    std::vector<State> states(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      State& s = states[r];
      s.h = -v0[r];
      for (std::size_t k = 0; k < n; ++k) {
        s.z.push_back(x[r][continuous_[k]] / lengthscales_[k]);
        s.g.push_back(-g0[r][continuous_[k]] * lengthscales_[k]);
        s.upper.push_back(1.0 / lengthscales_[k]);
      }
      s.active = std::isfinite(s.h);
    }
    auto project = [&](const State& s, Row& d) {
      for (std::size_t k = 0; k < n; ++k)
        if ((s.z[k] <= 0 && d[k] < 0) || (s.z[k] >= s.upper[k] && d[k] > 0)) d[k] = 0;
    };
    bool moved = false;
    for (std::int64_t iteration = 0; iteration < max_iterations_; ++iteration) {
      std::vector<std::size_t> pending;
      std::vector<Row> directions(rows);
      std::vector<double> steps(rows, 1.0);
      for (std::size_t r = 0; r < rows; ++r) {
        State& s = states[r];
        if (!s.active) continue;
        // Stop where the projected gradient is flat: scipy's pgtol, which
        // Optuna sets to sqrt(1e-4) for this search.
        Row projected_gradient = s.g;
        for (double& v : projected_gradient) v = -v;
        project(s, projected_gradient);
        double steepest = 0;
        for (double v : projected_gradient) steepest = std::max(steepest, std::abs(v));
        if (steepest < kProjectedGradientTolerance) {
          s.active = false;
          continue;
        }
        Row d = lbfgs_direction(s.g, s.memory);
        project(s, d);
        if (dot(s.g, d) >= 0) {  // not a descent direction after projection: restart from steepest descent
          s.memory.clear();
          d = s.g;
          for (double& v : d) v = -v;
          project(s, d);
        }
        double largest = 0;
        for (double v : d) largest = std::max(largest, std::abs(v));
        if (largest < 1e-9 || dot(s.g, d) > -1e-14) {
          s.active = false;  // a stationary point of the box-constrained problem
          continue;
        }
        if (s.memory.empty()) steps[r] = std::min(1.0, 1.0 / largest);
        directions[r] = std::move(d);
        pending.push_back(r);
      }
      if (pending.empty()) break;
      // Backtracking with the Armijo condition, all pending rows in one batch per trial step.
      for (int backtrack = 0; backtrack < kMaxBacktracks && !pending.empty(); ++backtrack) {
        std::vector<Row> trial_x;
        std::vector<Row> trial_z;
        for (std::size_t r : pending) {
          const State& s = states[r];
          Row z(n);
          Row point = x[r];
          for (std::size_t k = 0; k < n; ++k) {
            z[k] = std::clamp(s.z[k] + steps[r] * directions[r][k], 0.0, s.upper[k]);
            point[continuous_[k]] = std::clamp(z[k] * lengthscales_[k], 0.0, 1.0);
          }
          trial_z.push_back(std::move(z));
          trial_x.push_back(std::move(point));
        }
        auto [v, g] = acquisition_.values_and_gradients(trial_x);
        std::vector<std::size_t> still;
        for (std::size_t i = 0; i < pending.size(); ++i) {
          const std::size_t r = pending[i];
          State& s = states[r];
          Row step(n);
          for (std::size_t k = 0; k < n; ++k) step[k] = trial_z[i][k] - s.z[k];
          const double h = -v[i];
          if (!(std::isfinite(h) && h <= s.h + 1e-4 * dot(s.g, step))) {
            steps[r] *= 0.5;
            still.push_back(r);
            continue;
          }
          Row g_new(n), y(n);
          for (std::size_t k = 0; k < n; ++k) {
            g_new[k] = -g[i][continuous_[k]] * lengthscales_[k];
            y[k] = g_new[k] - s.g[k];
          }
          if (dot(step, y) > 1e-12) {
            s.memory.emplace_back(step, y);
            if (s.memory.size() > kMemory) s.memory.pop_front();
          }
          const double decrease = s.h - h;
          if (decrease > 0) moved = true;
          if (decrease < 1e-9 * (1.0 + std::abs(h))) s.active = false;  // converged
          s.z = trial_z[i];
          s.g = std::move(g_new);
          s.h = h;
          x[r] = trial_x[i];
          values[r] = v[i];
        }
        pending = std::move(still);
      }
      for (std::size_t r : pending) states[r].active = false;  // no acceptable step: converged
    }
    return moved;
  }

  // Tries other grid values of discrete dimension `d` for every row; keeps improvements.
  bool discrete_phase(std::size_t d, std::vector<Row>& x, Row& values) const {
    const auto& grid = encoding_.dimensions()[d].grid;
    if (grid.size() < 2) return false;
    std::vector<Row> trial;
    std::vector<std::size_t> owner;
    for (std::size_t r = 0; r < x.size(); ++r) {
      for (std::size_t index : choices(grid, x[r][d])) {
        if (grid[index] == x[r][d]) continue;
        Row point = x[r];
        point[d] = grid[index];
        trial.push_back(std::move(point));
        owner.push_back(r);
      }
    }
    const Row v = acquisition_.values(trial);
    bool switched = false;
    for (std::size_t i = 0; i < trial.size(); ++i) {
      const std::size_t r = owner[i];
      if (std::isfinite(v[i]) && v[i] > values[r] + 1e-12) {
        values[r] = v[i];
        x[r] = trial[i];
        switched = true;
      }
    }
    return switched;
  }

  static std::vector<std::size_t> choices(const std::vector<double>& grid, double current) {
    std::vector<std::size_t> out;
    if (grid.size() <= kMaxExhaustiveGrid) {
      out.resize(grid.size());
      std::iota(out.begin(), out.end(), 0);
      return out;
    }
    const auto size = static_cast<std::int64_t>(grid.size());
    const auto at = static_cast<std::int64_t>(std::lower_bound(grid.begin(), grid.end(), current) - grid.begin());
    for (std::int64_t i = std::max<std::int64_t>(0, at - kGridNeighbours); i <= std::min(size - 1, at + kGridNeighbours); ++i)
      out.push_back(static_cast<std::size_t>(i));
    for (std::int64_t k = 0; k < kGridSpread; ++k) out.push_back(static_cast<std::size_t>(k * (size - 1) / (kGridSpread - 1)));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  const Acquisition& acquisition_;
  const SearchSpaceEncoding& encoding_;
  std::int64_t max_iterations_;
  std::vector<std::size_t> continuous_;
  std::vector<double> lengthscales_;
};

}  // namespace

AcquisitionResult maximize_log_ei(const GaussianProcess& gp, double best, const SearchSpaceEncoding& encoding,
                                  const std::vector<std::vector<double>>& warm_starts, std::mt19937_64& rng,
                                  const AcquisitionOptions& options) {
  const Acquisition acquisition(gp, best, encoding.size());
  std::vector<Row> candidates;
  candidates.reserve(static_cast<std::size_t>(options.n_candidates));
  for (std::int64_t i = 0; i < options.n_candidates; ++i) candidates.push_back(encoding.random_point(rng));
  const Row candidate_values = acquisition.values(candidates);

  // Starts: every warm start, then the best random candidates.
  std::vector<Row> starts(warm_starts.begin(), warm_starts.end());
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  const auto wanted = static_cast<std::size_t>(std::max<std::int64_t>(0, options.n_local_search)) -
                      std::min(starts.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, options.n_local_search)));
  const std::size_t top = std::min(order.size(), std::max<std::size_t>(wanted, 1));
  // NaN values sort last; ties keep the candidate order, so the result is reproducible.
  auto better = [&](std::size_t a, std::size_t b) {
    const double va = std::isnan(candidate_values[a]) ? -INFINITY : candidate_values[a];
    const double vb = std::isnan(candidate_values[b]) ? -INFINITY : candidate_values[b];
    return va > vb || (va == vb && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(), better);
  for (std::size_t i = 0; i < top; ++i) starts.push_back(candidates[order[i]]);

  Row start_values = acquisition.values(starts);
  LocalSearch(acquisition, encoding, gp.params(), options.max_iterations).run(starts, start_values);

  AcquisitionResult result{candidates[order[0]], candidate_values[order[0]]};
  if (std::isnan(result.log_ei)) result.log_ei = -INFINITY;
  for (std::size_t i = 0; i < starts.size(); ++i)
    if (start_values[i] > result.log_ei) result = {starts[i], start_values[i]};
  return result;
}

}  // namespace bertlab::gp
