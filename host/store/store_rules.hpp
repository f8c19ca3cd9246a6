// The rules every store backend enforces the same way, with the same words:
// which schema versions open, and which trial updates are allowed. Each
// returns what is wrong (the backend throws it with its location and the
// operation) or nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bertlab/study.hpp"

namespace bertlab::store {

// Opening a store of schema version `found` with this bertlab's `current`:
// a newer store, or an older one opened read-only, cannot be opened (an
// older one opened for writing is migrated).
std::optional<std::string> schema_version_problem(int found, int current, bool read_only);

// What finish_trial() and the reporting calls read before writing.
struct TrialHead {
  std::int64_t number = 0;
  TrialState state = TrialState::running;
  std::string study_name;

  std::string label() const;  // "trial 3 of study sst2"
};

// Reporting to or finishing a trial: only a RUNNING trial takes either;
// finishing as COMPLETE needs a finite value.
std::optional<std::string> report_problem(const TrialHead& trial);
std::optional<std::string> finish_problem(const TrialHead& trial, TrialState state, std::optional<double> value);

}  // namespace bertlab::store
