// Which trials TPE learns from and how they divide into the good group
// (l(x)) and the rest (g(x)), following Optuna's TPESampler (_split_trials):
//  - observations are this study's COMPLETE and PRUNED trials and the
//    warm-start history (COMPLETE trials of earlier studies); FAILED ones are
//    ignored;
//  - n_below good ones are taken, by the gamma rule on the observation count,
//    first from the COMPLETE/history trials by value, then from the PRUNED
//    ones ranked by how far they got (more reported steps is better, then the
//    value at their last step; no step reported ranks last);
//  - with the constant liar, RUNNING trials (params known, no value yet) join
//    the bad group, as if they had the worst value seen so far, so workers
//    asking at the same time are steered away from each other's points;
//  - each group is ordered oldest first (history, then trial number), which is
//    the order the observation weights ramp over.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <bertlab/study.hpp>

namespace bertlab::tpe {

// How many of n observations form the good group: Optuna's default
// min(ceil(0.1·n), 25), or ceil(fraction·n) when a fraction is given.
struct GammaRule {
  std::optional<double> fraction;
  std::int64_t n_below(std::int64_t n) const;
};

struct TrialSplit {
  std::vector<const Table*> below, above;  // trials' params, oldest first
};

// COMPLETE and PRUNED trials of the study plus its history: what the startup
// count compares with n_startup_trials.
std::int64_t count_observations(const StudyView& study);

TrialSplit split_trials(const StudyView& study, const GammaRule& gamma, bool constant_liar);

// Optuna's default_weights: equal weights below 25 observations; from 25 on,
// the oldest n - 25 ramp linearly from 1/n up to 1, the newest 25 weigh 1.
std::vector<double> ramp_weights(std::size_t n);

}  // namespace bertlab::tpe
