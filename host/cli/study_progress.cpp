#include "cli/study_progress.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/output.hpp"
#include "cli/trial_output.hpp"

namespace bertlab::cli {

StudyProgress::StudyProgress(std::string label)
    : prefix_(label.empty() ? "bertlab" : fmt::format("bertlab[{}]", label)), bars_(label.empty()) {}

void StudyProgress::lost_trials(const std::vector<std::int64_t>& numbers) {
  std::cerr << fmt::format("{}: trial(s) {} FAILED: their worker stopped sending heartbeats\n", prefix_,
                           fmt::join(numbers, ", "));
}

void StudyProgress::trial_started(const store::TrialRecord& trial, std::int64_t index, std::int64_t planned) {
  number_ = trial.number;
  bar_.reset();
  std::cerr << fmt::format("{}: trial {} ({} of {}) params {}\n", prefix_, trial.number, index + 1, planned,
                           trial.params.dump());
}

void StudyProgress::step(std::int64_t step, std::int64_t total_steps, double loss, double tokens_per_second) {
  if (!bar_ && bars_) {
    bar_ = std::make_unique<Progress>(fmt::format("trial {}", number_), total_steps);
    terminal_ = bar_->enabled();
  }
  const auto detail = fmt::format("loss {:.4f} {:.0f} tok/s", loss, tokens_per_second);
  if (terminal_) {
    bar_->update(step, detail);
  } else if (step == 1 || step % std::max<std::int64_t>(1, total_steps / 10) == 0 || step == total_steps) {
    std::cerr << fmt::format("{}: trial {} step {}/{} {}\n", prefix_, number_, step, total_steps, detail);
  }
}

void StudyProgress::evaluated(const train::Evaluation& evaluation, const std::string& metric) {
  if (bar_) bar_->interrupt_line();
  std::cerr << fmt::format("{}: trial {} step {} epoch {:.2f} train_loss {:.4f} {} {}\n", prefix_, number_,
                           evaluation.step, evaluation.epoch, evaluation.train_loss, metric,
                           format_number(evaluation.metrics.at(metric)));
}

void StudyProgress::trial_finished(const store::TrialRecord& trial) {
  if (bar_) bar_->interrupt_line();
  bar_.reset();
  std::string outcome = fmt::format("{}: trial {} {}", prefix_, trial.number, to_string(trial.state));
  if (trial.value) outcome += fmt::format(" value {}", format_number(trial.value));
  if (auto seconds = duration_of(trial)) outcome += fmt::format(" in {:.1f} s", *seconds);
  if (!trial.error.empty() && trial.state != TrialState::pruned) outcome += ": " + trial.error;
  std::cerr << outcome << '\n';
}

}  // namespace bertlab::cli
