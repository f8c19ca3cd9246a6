// bertlab SDK v2 — searcher.hpp
//
// A searcher proposes the parameters of the next trial (Optuna's ask/tell).
// The host calls `ask` inside the store's write transaction that creates the
// trial, passing every trial of the study (running ones included), so two
// workers never receive the same proposal from a deterministic searcher and a
// searcher needs no memory of its own: everything it knows comes from the
// StudyView. "Tell" is the host recording the trial's outcome in the store;
// the next `ask` sees it.
//
// Contract:
//  - `ask` returns a value for every active parameter of the space (see
//    SearchSpace::active), inside its distribution; inactive ones are absent.
//  - `ask` must be a pure function of (study, trial_number) for searchers that
//    claim to be reproducible: derive randomness from study.seed and
//    trial_number, never from a clock or a global generator.
//  - `ask` may throw std::exception (e.g. the space has a kind it cannot
//    handle); the host records the message and stops the study.
//  - Returning std::nullopt means "the space is exhausted" (grid search done).
//  - Construction validates options and throws bertlab::OptionError.
#pragma once

#include <cstdint>
#include <optional>

#include "bertlab/plugin.hpp"
#include "bertlab/study.hpp"

namespace bertlab {

class Searcher : public Plugin {
 public:
  using Interface = Searcher;
  static constexpr const char* kKind = kind::searcher;

  virtual std::optional<Table> ask(const StudyView& study, std::int64_t trial_number) = 0;

  // How many distinct trials the space allows (grid size), or nullopt when
  // unbounded. The host caps the requested trial count by it.
  virtual std::optional<std::int64_t> capacity(const SearchSpace& space) const {
    (void)space;
    return std::nullopt;
  }
};

}  // namespace bertlab
