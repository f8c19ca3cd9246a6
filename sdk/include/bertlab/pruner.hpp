// bertlab SDK v2 — pruner.hpp
//
// A pruner decides whether a running trial should stop early. The host calls
// `should_prune` after each evaluation of a trial, once the new intermediate
// value has been recorded, with the whole study (every other trial's
// intermediate values, as stored) and the trial being judged. Like searchers,
// pruners keep no state between calls: all they know is in the arguments.
//
// Contract:
//  - `trial.intermediate_values` holds this trial's study-metric values by
//    step, the latest at `step`.
//  - Return true to stop the trial: the host marks it PRUNED with its best
//    value so far.
//  - Must not throw for well-formed input; construction validates options and
//    throws bertlab::OptionError.
#pragma once

#include <cstdint>

#include "bertlab/plugin.hpp"
#include "bertlab/study.hpp"

namespace bertlab {

class Pruner : public Plugin {
 public:
  using Interface = Pruner;
  static constexpr const char* kKind = kind::pruner;

  virtual bool should_prune(const StudyView& study, const TrialView& trial, std::int64_t step) = 0;
};

}  // namespace bertlab
