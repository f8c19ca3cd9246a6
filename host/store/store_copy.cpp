#include "store/store_copy.hpp"

#include <fmt/format.h>

namespace bertlab::store {

std::vector<CopiedStudy> copy_studies(Store& from, Store& to, const std::vector<std::string>& names) {
  std::vector<StudyRecord> studies;
  if (names.empty()) {
    for (auto& summary : from.list_studies()) studies.push_back(std::move(summary.study));
  } else {
    for (const auto& name : names) {
      auto study = from.find_study(name);
      if (!study) throw StoreError(fmt::format("{}: no study '{}'", from.location(), name));
      studies.push_back(std::move(*study));
    }
  }
  for (const auto& study : studies)
    if (to.find_study(study.name))
      throw StoreError(fmt::format("{}: a study named '{}' exists already; nothing was copied", to.location(),
                                   study.name));

  std::vector<CopiedStudy> copied;
  for (const auto& study : studies) {
    CopiedStudy summary{.name = study.name};
    const auto created =
        to.get_or_create_study(study.name, study.experiment, study.metric, study.direction, study.experiment_file);
    for (const auto& [key, value] : study.attributes.items()) to.set_study_attribute(created.id, key, value);
    for (const auto& trial : from.trials(study.id)) {
      to.insert_trial(created.id, trial);
      ++summary.trials;
    }
    for (const auto& queued : from.queued_trials(study.id)) {
      to.enqueue_trial(created.id, queued.params, queued.origin);
      ++summary.queued;
    }
    copied.push_back(std::move(summary));
  }
  return copied;
}

}  // namespace bertlab::store
