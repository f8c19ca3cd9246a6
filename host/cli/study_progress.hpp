// What `bertlab run` shows while a study runs: per trial a progress bar
// (step, loss, tokens/s, ETA) when stderr is a terminal, plain log lines
// otherwise (about ten per trial), one line per evaluation and per finished trial.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/progress.hpp"
#include "search/study_runner.hpp"

namespace bertlab::cli {

class StudyProgress final : public search::StudyObserver {
 public:
  // `label` names a worker ("w2") in every line; workers sharing a terminal draw no bars.
  explicit StudyProgress(std::string label = "");
  void trial_started(const store::TrialRecord& trial, std::int64_t index, std::int64_t planned) override;
  void step(std::int64_t step, std::int64_t total_steps, double loss, double tokens_per_second) override;
  void evaluated(const train::Evaluation& evaluation, const std::string& metric) override;
  void trial_finished(const store::TrialRecord& trial) override;
  void lost_trials(const std::vector<std::int64_t>& numbers) override;

 private:
  std::string prefix_;  // "bertlab" or "bertlab[w2]"
  bool bars_ = true;
  std::int64_t number_ = 0;
  std::unique_ptr<Progress> bar_;
  bool terminal_ = false;
};

}  // namespace bertlab::cli
