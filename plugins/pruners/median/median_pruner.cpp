// Median stopping rule (Golovin et al. 2017, "Google Vizier", section 3.2.2),
// as Optuna's MedianPruner implements it (PercentilePruner with percentile 50,
// optuna/pruners/_percentile.py):
//
//   - no pruning until `n_startup_trials` trials of the study are COMPLETE
//     (and never while none is);
//   - no pruning at steps below `n_warmup_steps`;
//   - only at the first evaluation of each window of `interval_steps` steps
//     counted from `n_warmup_steps` (Optuna's _is_first_in_interval_step: an
//     evaluation is checked when no earlier evaluation of the trial fell in the
//     same window, so evaluations that do not land on multiples still get
//     checked once per window);
//   - the trial's best intermediate value so far (NaNs ignored) is compared
//     with the median, over the COMPLETE trials that reported a value at
//     exactly this step, of that value (not their best up to the step: Optuna
//     compares against the other trials' values at `step`). Fewer than
//     `n_min_trials` such values: no pruning. The trial is pruned when its best
//     is worse than the median in the study's direction;
//   - a trial whose values are all NaN is pruned; NaN values of the other
//     trials are left out of the median (numpy.nanpercentile), though they
//     count toward `n_min_trials`, as in Optuna.
//
// PRUNED, FAILED and RUNNING trials never enter the median, as in Optuna.
#include <bertlab/pruner.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {

using bertlab::Direction;
using bertlab::StudyView;
using bertlab::TrialState;
using bertlab::TrialView;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy.nanpercentile with its default "linear" method, NaNs dropped first;
// NaN when nothing is left. The two-sided lerp is numpy's (_lerp), which keeps
// the result exact at both ends of each interval.
double nan_percentile(std::vector<double> values, double percentile) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = percentile / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto above = std::min(below + 1, values.size() - 1);
  const double t = position - static_cast<double>(below);
  const double a = values[below], b = values[above], difference = b - a;
  return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

// The trial's best intermediate value over all its steps, NaNs ignored
// (numpy.nanmin / nanmax); NaN when every value is NaN.
double best_intermediate(const TrialView& trial, Direction direction) {
  double best = kNaN;
  for (const auto& [step, value] : trial.intermediate_values) {
    if (std::isnan(value)) continue;
    if (std::isnan(best) || (direction == Direction::maximize ? value > best : value < best)) best = value;
  }
  return best;
}

// Whether `step` is the trial's first evaluation in its window of
// `interval_steps` steps counted from `n_warmup_steps`.
bool first_in_interval(std::int64_t step, const TrialView& trial, std::int64_t n_warmup_steps,
                       std::int64_t interval_steps) {
  const std::int64_t window_start = (step - n_warmup_steps) / interval_steps * interval_steps + n_warmup_steps;
  std::int64_t previous = -1;  // the latest evaluation before this one
  for (const auto& entry : trial.intermediate_values)
    if (entry.first != step && entry.first > previous) previous = entry.first;
  return previous < window_start;
}

class MedianPruner final : public bertlab::Pruner {
 public:
  explicit MedianPruner(const bertlab::Options& options)
      : n_startup_trials_(options.get_int_in("n_startup_trials", 5, 0, INT64_MAX)),
        n_warmup_steps_(options.get_int_in("n_warmup_steps", 0, 0, INT64_MAX)),
        interval_steps_(options.get_int_in("interval_steps", 1, 1, INT64_MAX)),
        n_min_trials_(options.get_int_in("n_min_trials", 1, 1, INT64_MAX)) {
    options.reject_unknown({"n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"});
  }

  bool should_prune(const StudyView& study, const TrialView& trial, std::int64_t step) override {
    std::vector<const TrialView*> completed;
    for (const auto& other : study.trials)
      if (other.state == TrialState::complete && other.number != trial.number) completed.push_back(&other);
    if (completed.empty() || static_cast<std::int64_t>(completed.size()) < n_startup_trials_) return false;
    // The host reports the value before asking; without one at `step` there is nothing to judge.
    if (!trial.intermediate_values.contains(step)) return false;
    if (step < n_warmup_steps_) return false;
    if (!first_in_interval(step, trial, n_warmup_steps_, interval_steps_)) return false;

    const double best = best_intermediate(trial, study.direction);
    if (std::isnan(best)) return true;

    std::vector<double> at_step;
    for (const auto* other : completed)
      if (auto it = other->intermediate_values.find(step); it != other->intermediate_values.end())
        at_step.push_back(it->second);
    if (static_cast<std::int64_t>(at_step.size()) < n_min_trials_) return false;
    // The 50th percentile is its own mirror (Optuna uses 100 - p when maximising).
    const double median = nan_percentile(std::move(at_step), 50.0);
    if (std::isnan(median)) return false;
    return study.better(median, best);
  }

 private:
  std::int64_t n_startup_trials_;
  std::int64_t n_warmup_steps_;
  std::int64_t interval_steps_;
  std::int64_t n_min_trials_;
};

}  // namespace

BERTLAB_PLUGIN(MedianPruner, "median", "1.0.0",
               "Median stopping rule (Optuna's MedianPruner): prunes a trial whose best value so far is worse "
               "than the median of the completed trials at the same step")
