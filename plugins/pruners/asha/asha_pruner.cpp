// Asynchronous successive halving (ASHA; Li et al. 2020, "A System for
// Massively Parallel Hyperparameter Tuning", algorithm 2), as Optuna's
// SuccessiveHalvingPruner implements it (optuna/pruners/_successive_halving.py).
//
// Rung r ends at step  min_resource * reduction_factor^(min_early_stopping_rate + r).
// When a trial's evaluation reaches a rung's step, that evaluation's value
// becomes the trial's value at the rung, and the trial continues only if the
// value is among the best  max(1, n / reduction_factor)  of the n values
// recorded at that rung so far (its own included); with `bootstrap_count` > 0
// it is pruned while n <= bootstrap_count. One evaluation can pass several
// rungs at once (evaluations are every eval_every steps, rungs grow
// geometrically): the same value is judged at each, lowest rung first, and the
// trial stops at the first rung it fails — Optuna's promotion loop.
//
// Optuna records each trial's rung values as trial attributes as it judges
// them. A bertlab pruner keeps no state and cannot write to trials, so the
// rung values are rebuilt on every call from the stored intermediate values:
//
//   - a trial's value at rung r is its value at its first evaluation at or
//     past the rung's step (the evaluation Optuna judged it at; a NaN value
//     records nothing, Optuna prunes on it before recording);
//   - a trial that went on after an evaluation passed every rung that
//     evaluation reached; a PRUNED trial's last evaluation recorded rungs up to
//     the first one it failed, and which one that was is decided again the way
//     Optuna decided it, against the rung values of the trials numbered before
//     it (the trials that had finished those rungs when it ran, in a
//     sequential study);
//   - with min_resource "auto", Optuna fixes min_resource = max(1, last step /
//     100) from the first trial to complete, and the trials that ran before it
//     was known were never judged and have no rung values. Here the
//     lowest-numbered COMPLETE trial plays that part, and it and the trials
//     numbered before it have no rung values.
//
// In a sequential study this reproduces Optuna's decisions exactly; with
// several workers the order in which trials reached a rung is not stored and
// "numbered before" stands in for it.
#include <bertlab/pruner.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace {

using bertlab::Direction;
using bertlab::StudyView;
using bertlab::TrialState;
using bertlab::TrialView;

constexpr std::int64_t kMaxStep = std::numeric_limits<std::int64_t>::max();

// One recorded rung value and the trial it belongs to.
struct RungEntry {
  std::int64_t trial_number;
  double value;
};

class AshaPruner final : public bertlab::Pruner {
 public:
  explicit AshaPruner(const bertlab::Options& options)
      : reduction_factor_(options.get_int_in("reduction_factor", 4, 2, INT64_MAX)),
        min_early_stopping_rate_(options.get_int_in("min_early_stopping_rate", 0, 0, INT64_MAX)),
        bootstrap_count_(options.get_int_in("bootstrap_count", 0, 0, INT64_MAX)) {
    if (options.contains("min_resource")) {
      const auto& given = options.at("min_resource");
      if (given.is_string()) {
        if (given.as_string() != "auto")
          throw bertlab::OptionError(options.path("min_resource"),
                                     "expected \"auto\" or an integer >= 1, got \"" + given.as_string() + "\"");
      } else if (given.is_int()) {
        min_resource_ = options.get_int_in("min_resource", 1, 1, INT64_MAX);
      } else {
        throw bertlab::OptionError(options.path("min_resource"),
                                   std::string("expected \"auto\" or an integer >= 1, got ") + given.type_name());
      }
    }
    if (bootstrap_count_ > 0 && !min_resource_)
      throw bertlab::OptionError(options.path("bootstrap_count"),
                                 "bootstrap_count > 0 needs an integer min_resource, not \"auto\" (as in Optuna)");
    options.reject_unknown({"min_resource", "reduction_factor", "min_early_stopping_rate", "bootstrap_count"});
  }

  bool should_prune(const StudyView& study, const TrialView& trial, std::int64_t step) override {
    const auto current = trial.intermediate_values.find(step);
    if (current == trial.intermediate_values.end()) return false;

    std::int64_t min_resource = 0;
    std::optional<std::int64_t> reference;  // auto: the trial min_resource was estimated from
    if (min_resource_) {
      min_resource = *min_resource_;
    } else {
      for (const auto& other : study.trials)
        if (other.state == TrialState::complete && other.number != trial.number &&
            !other.intermediate_values.empty() && (!reference || other.number < *reference)) {
          reference = other.number;
          min_resource = std::max<std::int64_t>(other.intermediate_values.rbegin()->first / 100, 1);
        }
      if (!reference) return false;  // Optuna: no pruning until a trial has completed
    }
    const std::vector<std::int64_t> rung_steps = rung_steps_from(min_resource);
    // Whether an evaluation at `evaluation_step` has reached rung `rung` (rungs past int64 never are).
    auto reached = [&](std::size_t rung, std::int64_t evaluation_step) {
      return rung < rung_steps.size() && rung_steps[rung] <= evaluation_step;
    };

    // Replay every trial's rung values in trial-number order; `next_rung` of
    // the trial being judged is where its judgement at `step` starts.
    std::vector<const TrialView*> ordered;
    for (const auto& other : study.trials) ordered.push_back(&other);
    if (std::none_of(ordered.begin(), ordered.end(), [&](const TrialView* t) { return t->number == trial.number; }))
      ordered.push_back(&trial);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const TrialView* a, const TrialView* b) { return a->number < b->number; });

    std::vector<std::vector<RungEntry>> rungs(rung_steps.size());
    std::size_t next_rung = 0;
    for (const TrialView* other : ordered) {
      const bool judged_now = other->number == trial.number;
      if (reference && !judged_now && other->number <= *reference) continue;
      const TrialView& source = judged_now ? trial : *other;  // the caller's copy is the freshest
      std::size_t rung = 0;
      for (auto it = source.intermediate_values.begin(); it != source.intermediate_values.end(); ++it) {
        const auto [evaluation_step, value] = *it;
        if (judged_now && evaluation_step >= step) break;  // judged below
        const bool last_of_pruned = other->state == TrialState::pruned && std::next(it) == source.intermediate_values.end();
        while (reached(rung, evaluation_step)) {
          if (std::isnan(value)) break;  // Optuna prunes before recording anything
          rungs[rung].push_back({other->number, value});
          const bool passed = !last_of_pruned || promoted(value, rungs[rung], study.direction);
          ++rung;
          if (!passed) break;
        }
      }
      if (judged_now) next_rung = rung;
    }

    // The trial's judgement at `step` (Optuna's promotion loop).
    const double value = current->second;
    for (std::size_t rung = next_rung; reached(rung, step); ++rung) {
      if (std::isnan(value)) return true;
      std::vector<RungEntry> competing;
      for (const auto& entry : rungs[rung])
        if (entry.trial_number != trial.number) competing.push_back(entry);
      competing.push_back({trial.number, value});
      if (!promoted(value, competing, study.direction)) return true;
    }
    return false;
  }

 private:
  // Rung steps that fit in int64, lowest first.
  std::vector<std::int64_t> rung_steps_from(std::int64_t min_resource) const {
    std::int64_t first = min_resource;
    for (std::int64_t i = 0; i < min_early_stopping_rate_; ++i) {
      if (first > kMaxStep / reduction_factor_) return {};
      first *= reduction_factor_;
    }
    std::vector<std::int64_t> steps{first};
    while (steps.back() <= kMaxStep / reduction_factor_) steps.push_back(steps.back() * reduction_factor_);
    return steps;
  }

  // Whether `value` (one of `competing`) continues past
  // the rung: the bootstrap count is met, and it is no worse than the k-th best
  // of the rung's values, k = n / reduction_factor, at least 1 (Optuna:
  // "promotes the trial if its value is the best" while n < reduction_factor).
  bool promoted(double value, const std::vector<RungEntry>& competing, Direction direction) const {
    const auto n = static_cast<std::int64_t>(competing.size());
    if (n <= bootstrap_count_) return false;
    const std::int64_t k = std::max<std::int64_t>(n / reduction_factor_, 1);
    std::vector<double> values;
    values.reserve(competing.size());
    for (const auto& entry : competing) values.push_back(entry.value);
    std::sort(values.begin(), values.end());
    return direction == Direction::maximize ? value >= values[static_cast<std::size_t>(n - k)]
                                            : value <= values[static_cast<std::size_t>(k - 1)];
  }

  std::optional<std::int64_t> min_resource_;  // nullopt: "auto"
  std::int64_t reduction_factor_;
  std::int64_t min_early_stopping_rate_;
  std::int64_t bootstrap_count_;
};

}  // namespace

BERTLAB_PLUGIN(AshaPruner, "asha", "1.0.0",
               "Asynchronous successive halving (Optuna's SuccessiveHalvingPruner): a trial continues past each "
               "rung only in the top 1/reduction_factor of the values recorded there")
