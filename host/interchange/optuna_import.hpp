// `bertlab import optuna`: a study of an Optuna storage brought into the
// trial store, for its history (`bertlab history`, the dashboard) and as a
// warm start (`[search] warm_start = ["NAME"]`: its finished trials seed the
// searcher when their param names are the experiment's dotted keys).
//
// The reverse of optuna_export.hpp: states (FAIL -> FAILED; WAITING ->
// queued trials, which the study's next worker runs), params decoded from
// their distributions (kept in the trial attribute `optuna_distributions`),
// values, the intermediate values as the study metric's series, user
// attributes as attributes, and the "bertlab.*" attributes of an exported
// study back into their fields. A COMPLETE trial with an infinite value
// (allowed by Optuna, not by the store) becomes FAILED with the reason.
// Multi-objective studies have no equivalent and are refused.
#pragma once

#include <cstddef>
#include <string>

#include "store/store.hpp"

namespace bertlab::interchange {

struct OptunaImport {
  std::string study;                 // its name in the store
  std::string metric;
  std::size_t trials = 0;            // inserted
  std::size_t queued = 0;            // WAITING trials queued
  std::size_t infinite_values = 0;   // COMPLETE trials turned FAILED
  bool renumbered = false;           // Optuna's numbers had gaps (WAITING trials between others)
};

// Reads study `optuna_study_name` of `optuna_storage` into `store` as the
// new study `study_name` (an existing one is an error). `metric` names the
// objective when the Optuna study does not (an exported one does); empty
// means "value".
OptunaImport import_from_optuna(const std::string& optuna_storage, const std::string& optuna_study_name,
                                store::Store& store, const std::string& study_name, const std::string& metric);

}  // namespace bertlab::interchange
