// Tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl 2011,
// "Algorithms for Hyper-Parameter Optimization"), as Optuna's TPESampler
// implements it: after `n_startup_trials` random draws, the observations are
// split into a good group and the rest (trial_split.hpp), a Parzen estimator
// is fitted to each, l(x) and g(x) (parzen_estimator.hpp), `n_ei_candidates`
// points are drawn from l and the one maximising log l(x) - log g(x) — the
// expected improvement under the TPE model — is proposed.
//
// Univariate (default): one estimator pair per parameter, each parameter
// sampled on its own, a conditional one from the trials where it was active.
// Multivariate: one joint estimator pair over the unconditional parameters
// (each kernel a product over dimensions, candidates drawn jointly; Falkner et
// al. 2018), conditional parameters then univariately, as Optuna falls back to
// independent sampling outside its relative search space.
//
// Stateless: every ask rebuilds the model from the StudyView and draws from a
// generator seeded by (study seed, option `seed`, trial number).
#include <bertlab/searcher.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "dimension.hpp"
#include "parzen_estimator.hpp"
#include "seeded_rng.hpp"
#include "trial_split.hpp"

namespace {

using bertlab::Options;
using bertlab::OptionError;
using bertlab::StudyView;
using bertlab::Table;
using bertlab::tpe::Dimension;
using bertlab::tpe::ParzenEstimator;

// Keeps TPE's draws apart from the random plugin's for one study seed.
constexpr std::uint64_t kStream = 0x7470655f73656564ull;  // "tpe_seed"

class TpeSearcher final : public bertlab::Searcher {
 public:
  explicit TpeSearcher(const Options& options)
      : n_startup_trials_(options.get_int_in("n_startup_trials", 10, 0, 1'000'000'000)),
        n_ei_candidates_(options.get_int_in("n_ei_candidates", 24, 1, 100'000)),
        constant_liar_(options.get_bool("constant_liar", true)),
        seed_(options.get_int("seed", 0)) {
    if (options.contains("gamma")) {
      const double gamma = options.get_double("gamma");
      if (!(gamma > 0 && gamma <= 1))
        throw OptionError(options.path("gamma"), "expected a fraction in (0, 1], got " + std::to_string(gamma));
      gamma_.fraction = gamma;
    }
    parzen_.prior_weight = options.get_double("prior_weight", 1.0);
    if (!(parzen_.prior_weight > 0 && std::isfinite(parzen_.prior_weight)))
      throw OptionError(options.path("prior_weight"),
                        "expected a positive number, got " + std::to_string(parzen_.prior_weight));
    parzen_.consider_magic_clip = options.get_bool("consider_magic_clip", true);
    parzen_.consider_endpoints = options.get_bool("consider_endpoints", false);
    multivariate_ = options.get_bool("multivariate", false);
    const std::string weights = options.get_string("weights", "default");
    if (weights != "default" && weights != "uniform")
      throw OptionError(options.path("weights"), "expected \"default\" or \"uniform\", got \"" + weights + "\"");
    ramp_weights_ = weights == "default";
    options.reject_unknown({"n_startup_trials", "gamma", "prior_weight", "consider_magic_clip", "consider_endpoints",
                            "n_ei_candidates", "multivariate", "weights", "constant_liar", "seed"});
  }

  std::optional<Table> ask(const StudyView& study, std::int64_t trial_number) override {
    if (study.space == nullptr) throw std::invalid_argument("tpe needs a search space");
    std::vector<Dimension> dimensions;
    for (const auto& [name, distribution] : study.space->params) dimensions.emplace_back(name, distribution);
    std::mt19937_64 rng(bertlab::tpe::mix(study.seed ^ bertlab::tpe::mix(static_cast<std::uint64_t>(seed_)) ^
                                          bertlab::tpe::mix(static_cast<std::uint64_t>(trial_number) + 1) ^ kStream));

    Table params;
    const auto& space = study.space->params;
    if (bertlab::tpe::count_observations(study) < n_startup_trials_) {
      for (std::size_t i = 0; i < space.size(); ++i)
        if (study.space->active(space[i].second, params))
          params.emplace(space[i].first, dimensions[i].decode(dimensions[i].draw_uniform(rng)));
      return params;
    }

    const auto split = bertlab::tpe::split_trials(study, gamma_, constant_liar_);
    if (multivariate_) sample_jointly(study, dimensions, split, rng, params);
    for (std::size_t i = 0; i < space.size(); ++i)
      if (!params.contains(space[i].first) && study.space->active(space[i].second, params))
        params.emplace(space[i].first, sample_one(dimensions[i], split, rng));
    return params;
  }

 private:
  // The observations of `dims` among `trials` (a trial lacking any of them,
  // or with a value outside its distribution, is left out) and their weights.
  std::pair<std::vector<ParzenEstimator::Point>, std::vector<double>> observations(
      const std::vector<const Dimension*>& dims, const std::vector<const Table*>& trials) const {
    std::vector<ParzenEstimator::Point> points;
    for (const Table* trial : trials) {
      ParzenEstimator::Point point;
      for (const Dimension* dim : dims) {
        auto it = trial->find(dim->name());
        if (it == trial->end()) break;
        auto coordinate = dim->encode(it->second);
        if (!coordinate) break;
        point.push_back(*coordinate);
      }
      if (point.size() == dims.size()) points.push_back(std::move(point));
    }
    std::vector<double> weights =
        ramp_weights_ ? bertlab::tpe::ramp_weights(points.size()) : std::vector<double>(points.size(), 1.0);
    return {std::move(points), std::move(weights)};
  }

  // Draws candidates from l over `dims` and returns the one maximising log l - log g.
  ParzenEstimator::Point best_candidate(const std::vector<const Dimension*>& dims,
                                        const bertlab::tpe::TrialSplit& split, std::mt19937_64& rng) const {
    const auto [below, below_weights] = observations(dims, split.below);
    const auto [above, above_weights] = observations(dims, split.above);
    const ParzenEstimator good(dims, below, below_weights, parzen_);
    const ParzenEstimator bad(dims, above, above_weights, parzen_);
    ParzenEstimator::Point best;
    double best_score = -std::numeric_limits<double>::infinity();
    for (auto& candidate : good.sample(rng, static_cast<int>(n_ei_candidates_))) {
      const double score = good.log_pdf(candidate) - bad.log_pdf(candidate);
      if (best.empty() || score > best_score) {
        best_score = score;
        best = std::move(candidate);
      }
    }
    return best;
  }

  bertlab::Value sample_one(const Dimension& dimension, const bertlab::tpe::TrialSplit& split,
                            std::mt19937_64& rng) const {
    if (dimension.fixed()) return dimension.decode(dimension.categorical() ? 0.0 : dimension.low());
    return dimension.decode(best_candidate({&dimension}, split, rng).front());
  }

  void sample_jointly(const StudyView& study, const std::vector<Dimension>& dimensions,
                      const bertlab::tpe::TrialSplit& split, std::mt19937_64& rng, Table& params) const {
    std::vector<const Dimension*> joint;
    for (std::size_t i = 0; i < dimensions.size(); ++i) {
      if (study.space->params[i].second.parent) continue;  // conditional: univariate afterwards
      if (dimensions[i].fixed()) params.emplace(dimensions[i].name(), sample_one(dimensions[i], split, rng));
      else joint.push_back(&dimensions[i]);
    }
    if (joint.empty()) return;
    const auto point = best_candidate(joint, split, rng);
    for (std::size_t d = 0; d < joint.size(); ++d) params.emplace(joint[d]->name(), joint[d]->decode(point[d]));
  }

  std::int64_t n_startup_trials_;
  std::int64_t n_ei_candidates_;
  bool constant_liar_;
  std::int64_t seed_;
  bertlab::tpe::GammaRule gamma_;
  bertlab::tpe::ParzenSettings parzen_;
  bool multivariate_ = false;
  bool ramp_weights_ = true;
};

}  // namespace

BERTLAB_PLUGIN(TpeSearcher, "tpe", "1.0.0",
               "Tree-structured Parzen estimator (Bergstra et al. 2011, as Optuna's TPESampler); "
               "univariate or multivariate, constant liar for parallel workers, warm start")
