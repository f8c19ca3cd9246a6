#include "search/warm_start.hpp"

#include <iostream>

#include <fmt/format.h>

#include "data/data_signature.hpp"
#include "util/json_value.hpp"

namespace bertlab::search {

namespace {

struct Candidate {
  store::StudyRecord study;
  double similarity = 0.0;
};

// The study's finished trials, with only the parameters this space searches.
std::vector<TrialView> finished_trials(store::Store& store, const store::StudyRecord& source, const SearchSpace& space) {
  std::vector<TrialView> trials;
  for (const auto& record : store.trials(source.id)) {
    if (record.state != TrialState::complete || !record.value) continue;
    TrialView trial;
    trial.number = record.number;
    trial.state = TrialState::complete;
    trial.value = record.value;
    for (const auto& [name, value] : util::table_from_json(record.params))
      if (space.find(name)) trial.params.emplace(name, value);
    if (!trial.params.empty()) trials.push_back(std::move(trial));
  }
  return trials;
}

std::vector<std::uint64_t> signature_of(store::Store& store, const store::StudyRecord& source) {
  for (const auto& record : store.trials(source.id)) {
    auto it = record.attributes.find("data_signature");
    if (it != record.attributes.end() && it->is_array()) return it->get<std::vector<std::uint64_t>>();
  }
  return {};
}

bool shares_a_parameter(const experiment::Experiment& a, const experiment::Experiment& b) {
  for (const auto& [name, d] : a.search.space.params)
    if (b.search.space.find(name)) return true;
  return false;
}

std::optional<Candidate> most_similar(store::Store& store, const experiment::Experiment& e,
                                      const store::StudyRecord& study,
                                      const std::vector<std::uint64_t>& data_signature) {
  std::optional<Candidate> best;
  for (auto& summary : store.list_studies()) {
    auto& other = summary.study;
    if (other.id == study.id || other.metric != study.metric || other.direction != study.direction) continue;
    try {
      const auto recorded = experiment::load_recorded(other.experiment, other.experiment_file);
      if (recorded.model_dir != e.model_dir || recorded.head.plugin != e.head.plugin || !shares_a_parameter(recorded, e))
        continue;
    } catch (const std::exception&) {
      continue;  // its files moved or its format is older: not comparable
    }
    const double similarity = data::signature_similarity(data_signature, signature_of(store, other));
    if (similarity > 0 && (!best || similarity >= best->similarity)) best = Candidate{other, similarity};
  }
  return best;
}

}  // namespace

std::vector<TrialView> warm_start_history(store::Store& store, const experiment::Experiment& e,
                                          const store::StudyRecord& study,
                                          const std::vector<std::uint64_t>& data_signature) {
  std::vector<TrialView> history;
  auto take = [&](const store::StudyRecord& source, const std::string& why) {
    auto trials = finished_trials(store, source, e.search.space);
    std::cerr << fmt::format("bertlab: warm start from study '{}'{}: {} finished trial(s)\n", source.name, why,
                             trials.size());
    history.insert(history.end(), std::make_move_iterator(trials.begin()), std::make_move_iterator(trials.end()));
  };
  for (const auto& name : e.search.warm_start) {
    auto source = store.find_study(name);
    if (!source)
      throw experiment::ExperimentError(
          fmt::format("{}: key 'search.warm_start': no study '{}' in {}", e.file.string(), name, store.location()));
    if (source->id == study.id)
      throw experiment::ExperimentError(
          fmt::format("{}: key 'search.warm_start': study '{}' is this study", e.file.string(), name));
    if (source->metric != study.metric || source->direction != study.direction)
      throw experiment::ExperimentError(fmt::format(
          "{}: key 'search.warm_start': study '{}' optimises {} ({}), this one {} ({})", e.file.string(), name,
          source->metric, store::to_string(source->direction), study.metric, store::to_string(study.direction)));
    take(*source, "");
  }
  if (e.search.warm_start_similar) {
    if (auto nearest = most_similar(store, e, study, data_signature)) {
      take(nearest->study, fmt::format(" (same model and head, data similarity {:.2f})", nearest->similarity));
    } else {
      std::cerr << "bertlab: warm start: no earlier study with the same model, head, metric and an overlapping "
                   "search space; starting cold\n";
    }
  }
  return history;
}

}  // namespace bertlab::search
