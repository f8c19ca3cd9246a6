// bertlab SDK v2 — study.hpp
//
// The view of a study that searchers and pruners read: the declared search
// space and every trial so far (params, state, value, intermediate values).
// The host builds it from the trial store for each call, so a searcher or
// pruner keeps no state of its own between calls or between processes —
// several workers sharing one store see the same history (Optuna's model).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bertlab/value.hpp"

namespace bertlab {

enum class Direction { maximize, minimize };

enum class TrialState { running, complete, pruned, failed };

inline const char* to_string(TrialState s) {
  switch (s) {
    case TrialState::running: return "RUNNING";
    case TrialState::complete: return "COMPLETE";
    case TrialState::pruned: return "PRUNED";
    case TrialState::failed: return "FAILED";
  }
  return "?";
}

// One dimension of the search space.
struct Distribution {
  enum class Kind {
    uniform,      // real in [low, high]; `step` > 0 quantizes it
    log_uniform,  // real in [low, high], sampled uniformly in log space; low > 0
    int_uniform,  // integer in [low, high], multiples of `step` from low (step >= 1)
    categorical,  // one of `choices`
  };
  Kind kind = Kind::uniform;
  double low = 0.0;
  double high = 0.0;
  double step = 0.0;
  bool log = false;  // for int_uniform: sample in log space
  Array choices;     // categorical only

  // Conditional parameter: active only when the parameter `parent` has one of
  // `parent_values`. An inactive parameter is absent from the trial's params.
  std::optional<std::string> parent;
  Array parent_values;

  // Grid points for grid search over this dimension: the choices, every
  // integer step, or `grid_steps` evenly spaced points of a continuous range
  // (in log space for log_uniform). Zero means "not given".
  std::int64_t grid_steps = 0;
};

// An ordered search space: parents come before the parameters that depend on them.
struct SearchSpace {
  std::vector<std::pair<std::string, Distribution>> params;

  const Distribution* find(const std::string& name) const {
    for (const auto& [n, d] : params)
      if (n == name) return &d;
    return nullptr;
  }
  // Whether `name`'s condition holds given the parameters chosen so far.
  bool active(const Distribution& d, const Table& chosen) const {
    if (!d.parent) return true;
    auto it = chosen.find(*d.parent);
    if (it == chosen.end()) return false;
    for (const auto& v : d.parent_values)
      if (v == it->second) return true;
    return false;
  }
};

struct TrialView {
  std::int64_t number = 0;  // 0-based, unique within the study
  TrialState state = TrialState::running;
  Table params;
  std::optional<double> value;  // final objective, set when complete
  // The study metric's value at each reported step (step -> value).
  std::map<std::int64_t, double> intermediate_values;
};

struct StudyView {
  std::string name;
  std::string metric;
  Direction direction = Direction::maximize;
  std::uint64_t seed = 0;  // the study's seed; searchers derive their randomness from it
  const SearchSpace* space = nullptr;
  std::vector<TrialView> trials;  // in trial-number order, every state, running ones too

  // Warm start ([search] warm_start): COMPLETE trials of earlier studies whose
  // search space overlaps this one, with their params restricted to this
  // space's names and their values in this study's metric and direction.
  // A history trial may lack parameters that were not searched in its study.
  // Searchers that learn from results treat these like finished trials of
  // this study (e.g. TPE's and GP's observations, startup counts included);
  // they take no trial numbers here and are never RUNNING.
  std::vector<TrialView> history;

  bool better(double a, double b) const {
    return direction == Direction::maximize ? a > b : a < b;
  }
};

}  // namespace bertlab
