#include "trial_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace bertlab::tpe {

namespace {

// A trial with its place in time (history first) and its rank key.
struct Ranked {
  std::size_t age;  // 0 = oldest
  const Table* params;
  double score;     // value to minimise
  double steps = 0; // PRUNED: minus the last reported step (1 when none), lower is better
};

double minimised(const StudyView& study, double value) {
  return study.direction == Direction::maximize ? -value : value;
}

bool finished_with_value(const TrialView& trial) {
  return trial.state == TrialState::complete && trial.value.has_value() && !std::isnan(*trial.value);
}

}  // namespace

std::int64_t GammaRule::n_below(std::int64_t n) const {
  const double share = std::ceil((fraction ? *fraction : 0.1) * static_cast<double>(n));
  const auto count = static_cast<std::int64_t>(share);
  return fraction ? std::min(count, n) : std::min<std::int64_t>(count, 25);
}

std::int64_t count_observations(const StudyView& study) {
  std::int64_t n = std::count_if(study.history.begin(), study.history.end(), finished_with_value);
  for (const auto& trial : study.trials)
    n += finished_with_value(trial) || trial.state == TrialState::pruned;
  return n;
}

TrialSplit split_trials(const StudyView& study, const GammaRule& gamma, bool constant_liar) {
  std::vector<Ranked> complete, pruned, running;
  std::size_t age = 0;
  for (const auto& trial : study.history) {
    if (finished_with_value(trial)) complete.push_back({age, &trial.params, minimised(study, *trial.value)});
    ++age;
  }
  for (const auto& trial : study.trials) {
    const std::size_t this_age = age++;
    if (finished_with_value(trial)) {
      complete.push_back({this_age, &trial.params, minimised(study, *trial.value)});
    } else if (trial.state == TrialState::pruned) {
      Ranked r{this_age, &trial.params, 0.0, 1.0};
      if (!trial.intermediate_values.empty()) {
        const auto& [step, value] = *trial.intermediate_values.rbegin();
        r.steps = -static_cast<double>(step);
        r.score = std::isnan(value) ? std::numeric_limits<double>::infinity() : minimised(study, value);
      }
      pruned.push_back(r);
    } else if (trial.state == TrialState::running && constant_liar && !trial.params.empty()) {
      running.push_back({this_age, &trial.params, 0.0});
    }
  }

  std::int64_t n_below = gamma.n_below(static_cast<std::int64_t>(complete.size() + pruned.size()));
  std::vector<Ranked> below, above;
  auto take = [&](std::vector<Ranked>& group, auto better) {
    std::stable_sort(group.begin(), group.end(), better);
    const auto k = static_cast<std::size_t>(std::clamp<std::int64_t>(n_below, 0, static_cast<std::int64_t>(group.size())));
    below.insert(below.end(), group.begin(), group.begin() + static_cast<std::ptrdiff_t>(k));
    above.insert(above.end(), group.begin() + static_cast<std::ptrdiff_t>(k), group.end());
    n_below -= static_cast<std::int64_t>(k);
  };
  // Ties keep the older trial first (stable sort over age order).
  take(complete, [](const Ranked& a, const Ranked& b) { return a.score < b.score; });
  take(pruned, [](const Ranked& a, const Ranked& b) {
    return std::tie(a.steps, a.score) < std::tie(b.steps, b.score);
  });
  above.insert(above.end(), running.begin(), running.end());

  TrialSplit split;
  for (auto* group : {&below, &above}) {
    std::sort(group->begin(), group->end(), [](const Ranked& a, const Ranked& b) { return a.age < b.age; });
    auto& out = group == &below ? split.below : split.above;
    for (const Ranked& r : *group) out.push_back(r.params);
  }
  return split;
}

std::vector<double> ramp_weights(std::size_t n) {
  std::vector<double> weights(n, 1.0);
  if (n < 25) return weights;
  const std::size_t ramp = n - 25;
  // numpy.linspace(1/n, 1, ramp): evenly spaced, both ends included.
  for (std::size_t i = 0; i < ramp; ++i)
    weights[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                           : 1.0 / static_cast<double>(n) +
                                 (1.0 - 1.0 / static_cast<double>(n)) * static_cast<double>(i) / static_cast<double>(ramp - 1);
  return weights;
}

}  // namespace bertlab::tpe
