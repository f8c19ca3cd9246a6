// The model a trial saved (its "model" artifact), found by "STUDY/NUMBER":
// `bertlab predict --trial` and `[model] from_trial` (fine-tuning from an
// earlier trial, or from a `bertlab pretrain` checkpoint) both look it up here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "store/store.hpp"

namespace bertlab::store {

// What is missing: the study, the trial, or the trial's model.
class TrialModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "STUDY/NUMBER" split at the last '/' (a study name may contain '/');
// nullopt when it is not of that form.
std::optional<std::pair<std::string, std::int64_t>> split_trial_ref(const std::string& ref);

// The directory of trial `number` of `study`'s "model" artifact, or
// TrialModelError naming the store, study and trial.
std::filesystem::path trial_model_dir(Store& store, const std::string& study, std::int64_t number);

}  // namespace bertlab::store
