// Gaussian-process Bayesian optimisation, as Optuna's GPSampler does it
// (optuna/samplers/_gp/sampler.py): until `n_startup_trials` observations
// exist, random draws; then a Matérn-5/2 GP fitted to the standardised
// observations and the point of highest log expected improvement.
//
// Stateless like every bertlab searcher: each ask refits the GP from the
// StudyView (Optuna warm-starts the fit from the previous ask's kernel
// parameters; here it always starts from the defaults), and all randomness
// comes from (study.seed, option `seed`, trial_number).
//
// Observations: COMPLETE trials with a value, PRUNED trials with a value
// (their best value so far, taken as if it were final), and warm-start
// history trials; FAILED trials and trials lacking one of the modelled
// parameters are left out. RUNNING trials are pending points: the GP is
// conditioned on them with an imagined value (option `pending`) before the
// acquisition is maximised, so parallel workers do not propose one point.
#include <bertlab/searcher.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "acquisition_optimizer.hpp"
#include "gaussian_process.hpp"
#include "search_space_encoding.hpp"

namespace {

using bertlab::Options;
using bertlab::OptionError;
using bertlab::StudyView;
using bertlab::Table;
using bertlab::TrialState;
using bertlab::TrialView;

// SplitMix64 finalizer, as the random searcher mixes its seeds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

enum class Pending { constant_liar, kriging_believer };

Pending parse_pending(const Options& options) {
  const std::string value = options.get_string("pending", "constant_liar");
  if (value == "constant_liar") return Pending::constant_liar;
  if (value == "kriging_believer") return Pending::kriging_believer;
  throw OptionError(options.path("pending"),
                    "expected \"constant_liar\" or \"kriging_believer\", got \"" + value + "\"");
}

const auto kFloat64 = torch::TensorOptions().dtype(torch::kFloat64);

torch::Tensor matrix(const std::vector<std::vector<double>>& rows, std::size_t dims) {
  auto t = torch::empty({static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(dims)}, kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t d = 0; d < dims; ++d) a[static_cast<std::int64_t>(r)][static_cast<std::int64_t>(d)] = rows[r][d];
  return t;
}

class GpSearcher final : public bertlab::Searcher {
 public:
  explicit GpSearcher(const Options& options)
      : n_startup_trials_(options.get_int_in("n_startup_trials", 10, 0, 1'000'000)),
        deterministic_objective_(options.get_bool("deterministic_objective", false)),
        n_candidates_(options.get_int_in("n_candidates", 2048, 1, 1'000'000)),
        pending_(parse_pending(options)),
        seed_offset_(options.get_int("seed", 0)) {
    options.reject_unknown({"n_startup_trials", "deterministic_objective", "n_candidates", "pending", "seed"});
  }

  std::optional<Table> ask(const StudyView& study, std::int64_t trial_number) override {
    if (study.space == nullptr) throw std::invalid_argument("gp search needs a search space");
    // The random searcher's seeding: a gp study's startup trials are the
    // trials a random study with the same seeds would run.
    const std::uint64_t seed = study.seed ^ mix(static_cast<std::uint64_t>(seed_offset_)) ^
                               mix(static_cast<std::uint64_t>(trial_number) + 1);
    std::mt19937_64 rng(mix(seed));
    const bertlab::gp::SearchSpaceEncoding encoding(*study.space);

    Table params;
    if (encoding.size() > 0) {
      auto modelled = propose(study, encoding, seed);
      if (modelled) params = std::move(*modelled);
    }
    // Random draws for whatever the GP did not choose: everything during
    // startup, conditional parameters always.
    for (const auto& [name, distribution] : study.space->params)
      if (!params.contains(name) && study.space->active(distribution, params))
        params.emplace(name, bertlab::gp::draw_random(name, distribution, rng));
    return params;
  }

 private:
  struct Observations {
    std::vector<std::vector<double>> points;
    std::vector<double> losses;
  };

  // Usable observations, as losses (to minimise).
  Observations observations(const StudyView& study, const bertlab::gp::SearchSpaceEncoding& encoding) const {
    Observations out;
    auto add = [&](const TrialView& trial) {
      if (!trial.value || std::isnan(*trial.value)) return;
      if (trial.state != TrialState::complete && trial.state != TrialState::pruned) return;
      auto point = encoding.encode(trial.params);
      if (!point) return;
      out.points.push_back(std::move(*point));
      out.losses.push_back(study.direction == bertlab::Direction::maximize ? -*trial.value : *trial.value);
    };
    for (const auto& trial : study.history) add(trial);
    for (const auto& trial : study.trials) add(trial);
    return out;
  }

  // The GP's proposal for the unconditional parameters, or nullopt during startup.
  std::optional<Table> propose(const StudyView& study, const bertlab::gp::SearchSpaceEncoding& encoding,
                               std::uint64_t seed) const {
    Observations observed = observations(study, encoding);
    const std::size_t n = observed.losses.size();
    if (n == 0 || n < static_cast<std::size_t>(n_startup_trials_)) return std::nullopt;

    // Infinite values are clipped to the finite extremes (Optuna's
    // warn_and_convert_inf), then standardised: mean 0, std 1.
    double low = INFINITY, high = -INFINITY;
    for (double v : observed.losses)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    if (!std::isfinite(low)) low = high = 0;
    double mean = 0;
    for (double& v : observed.losses) mean += (v = std::clamp(v, low, high));
    mean /= static_cast<double>(n);
    double variance = 0;
    for (double v : observed.losses) variance += (v - mean) * (v - mean);
    const double sd = std::max(1e-10, std::sqrt(variance / static_cast<double>(n)));
    for (double& v : observed.losses) v = (v - mean) / sd;

    const std::size_t dims = encoding.size();
    auto is_categorical = torch::zeros({static_cast<std::int64_t>(dims)}, torch::kBool);
    for (std::size_t d = 0; d < dims; ++d)
      if (encoding.dimensions()[d].categorical) is_categorical[static_cast<std::int64_t>(d)] = true;
    const auto X = matrix(observed.points, dims);
    const auto y = torch::tensor(observed.losses, kFloat64);

    bertlab::gp::FitOptions fit;
    fit.deterministic_objective = deterministic_objective_;
    const auto kernel_params = bertlab::gp::fit_kernel_params(X, y, is_categorical, fit);
    bertlab::gp::GaussianProcess gp(kernel_params, is_categorical, X, y);

    const auto best_index = static_cast<std::size_t>(
        std::min_element(observed.losses.begin(), observed.losses.end()) - observed.losses.begin());
    const double best = observed.losses[best_index];

    // Pending trials: condition on them with an imagined loss. The constant
    // liar imagines the worst observed loss (Ginsbourger et al. 2010's CL-max
    // for minimisation; Optuna's GPSampler imagines the best one instead),
    // the kriging believer the GP's own mean there.
    std::vector<std::vector<double>> running;
    for (const auto& trial : study.trials)
      if (trial.state == TrialState::running)
        if (auto point = encoding.encode(trial.params)) running.push_back(std::move(*point));
    if (!running.empty()) {
      const auto X_running = matrix(running, dims);
      torch::Tensor y_running;
      if (pending_ == Pending::constant_liar) {
        y_running = torch::full({static_cast<std::int64_t>(running.size())},
                                *std::max_element(observed.losses.begin(), observed.losses.end()), kFloat64);
      } else {
        torch::NoGradGuard no_grad;
        y_running = gp.posterior(X_running).first;
      }
      gp = gp.with_observations(X_running, y_running);
    }

    std::mt19937_64 rng(mix(seed ^ 0x6770'5f61'6371'6600ull));  // a stream apart from the random draws
    bertlab::gp::AcquisitionOptions acquisition;
    acquisition.n_candidates = n_candidates_;
    const auto result = bertlab::gp::maximize_log_ei(gp, best, encoding, {observed.points[best_index]}, rng, acquisition);
    return encoding.decode(result.point);
  }

  std::int64_t n_startup_trials_;
  bool deterministic_objective_;
  std::int64_t n_candidates_;
  Pending pending_;
  std::int64_t seed_offset_;
};

}  // namespace

BERTLAB_PLUGIN(GpSearcher, "gp", "1.0.0",
               "Gaussian-process Bayesian optimisation: Matern-5/2 GP, log expected improvement (Optuna's GPSampler)")
