#include "store/trial_model.hpp"

#include <fmt/format.h>

#include "util/parse_index.hpp"

namespace bertlab::store {

std::optional<std::pair<std::string, std::int64_t>> split_trial_ref(const std::string& ref) {
  auto slash = ref.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  const auto number = util::parse_index(std::string_view(ref).substr(slash + 1));
  if (!number) return std::nullopt;
  return std::pair{ref.substr(0, slash), *number};
}

std::filesystem::path trial_model_dir(Store& store, const std::string& study_name, std::int64_t number) {
  auto study = store.find_study(study_name);
  if (!study) throw TrialModelError(fmt::format("no study named '{}' in {}", study_name, store.location()));
  auto trial = store.trial(study->id, number);
  if (!trial) throw TrialModelError(fmt::format("study '{}' has no trial {}", study_name, number));
  for (const auto& artifact : trial->artifacts)
    if (artifact.kind == "model") return artifact.path;
  throw TrialModelError(fmt::format("trial {}/{} ({}{}) saved no model", study_name, number, to_string(trial->state),
                                    trial->error.empty() ? "" : ": " + trial->error));
}

}  // namespace bertlab::store
