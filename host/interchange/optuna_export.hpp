// `bertlab export optuna`: a study of the trial store written into an Optuna
// storage, so that optuna.load_study, optuna.visualization and
// optuna-dashboard open it.
//
// What maps to what:
// - states RUNNING, COMPLETE, PRUNED, FAILED -> RUNNING, COMPLETE, PRUNED,
//   FAIL; a queued trial -> a WAITING trial with Optuna's `fixed_params`;
// - params with their distributions: the ones an imported trial brought
//   (its `optuna_distributions` attribute), else the study's [search.space],
//   else (a recorded experiment that no longer loads, a param outside its
//   space) a categorical distribution over the values the trials took,
//   named in the summary;
// - the value (COMPLETE, and PRUNED when it has one); the intermediate values
//   of the study's metric (Optuna keeps one series per trial);
// - trial attributes -> user attributes; what Optuna has no column for goes
//   to user attributes named "bertlab.*": seed, plugins, data_fingerprint,
//   error, artifacts, the other metrics' intermediate values
//   ({name: {step: value}}). Study attributes -> study user attributes, with
//   bertlab.metric, bertlab.experiment (the text), bertlab.experiment_file,
//   bertlab.experiment_hash and bertlab.created_at.
// The import (optuna_import.hpp) reads all of these back.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace bertlab::interchange {

struct OptunaExport {
  std::string optuna_path;   // the SQLite file written
  std::string optuna_study;  // the study's name there
  std::size_t trials = 0;    // WAITING ones included
  std::vector<std::string> inferred_params;  // given categorical distributions over their values
};

// Writes study `study_name` of `store` into the Optuna storage `optuna_storage`
// (a path or sqlite:/// URL, created when missing) as `optuna_study_name`,
// in one transaction. A study of that name already there is an error.
OptunaExport export_to_optuna(store::Store& store, const std::string& study_name, const std::string& optuna_storage,
                              const std::string& optuna_study_name);

}  // namespace bertlab::interchange
