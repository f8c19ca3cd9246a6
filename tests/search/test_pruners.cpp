// The median and asha pruners, loaded through the plugin host as bertlab
// loads them, judged on hand-built intermediate curves, on a fixed sequence
// against a direct stateful statement of Optuna's algorithms, and against the
// decisions Optuna itself made on that sequence (tests/search/pruner_reference.py).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "bertlab/pruner.hpp"
#include "builtin_plugins.hpp"
#include "plugin/plugin_host.hpp"

using bertlab::Direction;
using bertlab::StudyView;
using bertlab::Table;
using bertlab::TrialState;
using bertlab::TrialView;
using bertlab::test::pruner;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TrialView trial_with(std::int64_t number, TrialState state, std::map<std::int64_t, double> curve) {
  TrialView t;
  t.number = number;
  t.state = state;
  t.intermediate_values = std::move(curve);
  if (state == TrialState::complete && !t.intermediate_values.empty()) t.value = t.intermediate_values.rbegin()->second;
  return t;
}

// The same value at steps 100..600.
std::map<std::int64_t, double> flat_curve(double level) {
  std::map<std::int64_t, double> curve;
  for (std::int64_t step = 100; step <= 600; step += 100) curve[step] = level;
  return curve;
}

// A study of five COMPLETE trials (accuracies 0.5 .. 0.9, maximised) plus the
// RUNNING trial judged, which is the last one of `study.trials`.
StudyView five_completed(Direction direction = Direction::maximize) {
  StudyView study;
  study.direction = direction;
  for (int i = 0; i < 5; ++i) study.trials.push_back(trial_with(i, TrialState::complete, flat_curve(0.5 + 0.1 * i)));
  return study;
}

bool judge(bertlab::Pruner& p, StudyView study, std::map<std::int64_t, double> curve, std::int64_t step) {
  study.trials.push_back(trial_with(static_cast<std::int64_t>(study.trials.size()), TrialState::running, std::move(curve)));
  return p.should_prune(study, study.trials.back(), step);
}

// ---- the fixed sequence shared with tests/search/pruner_reference.py ----

constexpr int kSequenceTrials = 20;

// Crossing learning curves, minimised; trial 5 reports NaN at step 300.
double curve_value(std::int64_t trial, std::int64_t step) {
  const std::int64_t k = step / 100;
  if (trial == 5 && k == 3) return kNaN;
  const double base = static_cast<double>((trial * 37 + 11) % 17) / 17.0;
  const double slope = static_cast<double>((trial * 5 + 3) % 7) * 0.02;
  const double wiggle = static_cast<double>((trial * 13 + k * 7) % 5) * 0.01;
  return base - slope * static_cast<double>(k) + wiggle;
}

// Runs the trials one after another as the host does: each reports at steps
// 100..800 and is asked about after each report; `decide(study, trial, step)`
// is the pruner. Returns the step each trial was pruned at (0: completed).
template <class Decide>
std::vector<std::int64_t> run_sequence(Direction direction, Decide decide) {
  StudyView study;
  study.direction = direction;
  const double sign = direction == Direction::maximize ? -1.0 : 1.0;  // maximise the negated curve
  std::vector<std::int64_t> pruned_at;
  for (std::int64_t number = 0; number < kSequenceTrials; ++number) {
    study.trials.push_back(trial_with(number, TrialState::running, {}));
    std::int64_t stopped = 0;
    for (std::int64_t step = 100; step <= 800 && stopped == 0; step += 100) {
      study.trials.back().intermediate_values[step] = sign * curve_value(number, step);
      if (decide(study, study.trials.back(), step)) stopped = step;
    }
    study.trials.back().state = stopped ? TrialState::pruned : TrialState::complete;
    study.trials.back().value = sign * curve_value(number, stopped ? stopped : 800);
    pruned_at.push_back(stopped);
  }
  return pruned_at;
}

std::vector<std::int64_t> run_plugin(bertlab::Pruner& p, Direction direction) {
  return run_sequence(direction, [&](const StudyView& study, const TrialView& trial, std::int64_t step) {
    const bool decision = p.should_prune(study, trial, step);
    CHECK(p.should_prune(study, trial, step) == decision);  // no state kept between calls
    return decision;
  });
}

// Optuna's SuccessiveHalvingPruner stated directly, with the per-trial
// "completed_rung_<r>" attributes it keeps (the plugin has to rebuild them):
// at each report, from the trial's first unrecorded rung, while the step has
// reached the rung: NaN prunes; record the value; prune unless more than
// bootstrap_count values are recorded there and the value is within the best
// max(1, n // eta) of the others' recorded values plus itself.
struct AshaSettings {
  std::optional<std::int64_t> min_resource;  // nullopt: "auto"
  std::int64_t eta = 4, min_early_stopping_rate = 0, bootstrap_count = 0;
};

struct OptunaSuccessiveHalving {
  explicit OptunaSuccessiveHalving(const AshaSettings& s)
      : min_resource(s.min_resource), eta(s.eta), min_early_stopping_rate(s.min_early_stopping_rate),
        bootstrap_count(s.bootstrap_count) {}
  std::optional<std::int64_t> min_resource;  // "auto": fixed on first use
  std::int64_t eta, min_early_stopping_rate, bootstrap_count;
  std::map<std::int64_t, std::map<std::int64_t, double>> recorded;  // trial -> rung -> value

  bool prune(const StudyView& study, const TrialView& trial, std::int64_t step) {
    const double value = trial.intermediate_values.at(step);
    std::int64_t rung = 0;
    while (recorded[trial.number].contains(rung)) ++rung;
    while (true) {
      if (!min_resource) {
        std::int64_t last = -1;
        for (const auto& t : study.trials)
          if (t.state == TrialState::complete && !t.intermediate_values.empty())
            last = std::max(last, t.intermediate_values.rbegin()->first);
        if (last < 0) return false;
        min_resource = std::max<std::int64_t>(last / 100, 1);
      }
      std::int64_t rung_step = *min_resource;
      for (std::int64_t i = 0; i < min_early_stopping_rate + rung; ++i) rung_step *= eta;
      if (step < rung_step) return false;
      if (std::isnan(value)) return true;
      std::vector<double> competing;
      for (const auto& [number, rungs] : recorded)
        if (number != trial.number && rungs.contains(rung)) competing.push_back(rungs.at(rung));
      competing.push_back(value);
      recorded[trial.number][rung] = value;
      if (static_cast<std::int64_t>(competing.size()) <= bootstrap_count) return true;
      std::sort(competing.begin(), competing.end());
      const auto k = std::max<std::size_t>(competing.size() / static_cast<std::size_t>(eta), 1);
      const bool promoted = study.direction == Direction::maximize ? value >= competing[competing.size() - k]
                                                                   : value <= competing[k - 1];
      if (!promoted) return true;
      ++rung;
    }
  }
};

std::vector<std::int64_t> run_stated(const AshaSettings& settings, Direction direction) {
  OptunaSuccessiveHalving rule(settings);
  return run_sequence(direction, [&](const StudyView& study, const TrialView& trial, std::int64_t step) {
    return rule.prune(study, trial, step);
  });
}

}  // namespace

TEST_CASE("median pruner: prunes a clearly bad trial and not a good one on fixed intermediate curves") {
  auto median = pruner("median");
  const StudyView study = five_completed();  // median accuracy at every step: 0.7
  CHECK(judge(*median, study, {{100, 0.3}}, 100));
  CHECK_FALSE(judge(*median, study, {{100, 0.85}}, 100));
  CHECK_FALSE(judge(*median, study, {{100, 0.7}}, 100));  // the median itself is not worse than the median
  CHECK(judge(*median, study, {{100, 0.69}}, 100));
  // Optuna's rule: the trial's best so far against the others' values at this step.
  CHECK_FALSE(judge(*median, study, {{100, 0.9}, {200, 0.2}}, 200));
  CHECK(judge(*median, study, {{100, 0.6}, {200, 0.65}}, 200));
  // PRUNED, FAILED and RUNNING trials stay out of the median: bad ones added do not lower the bar.
  StudyView crowded = study;
  for (int i = 0; i < 6; ++i)
    crowded.trials.push_back(trial_with(5 + i, i % 3 == 0 ? TrialState::pruned : i % 3 == 1 ? TrialState::failed
                                                                                             : TrialState::running,
                                        flat_curve(0.1)));
  CHECK(judge(*median, crowded, {{100, 0.6}}, 100));
  // The median of an even count is the midpoint (numpy's linear percentile): 0.5, 0.6, 0.7, 0.8, 0.9, 0.9 -> 0.75.
  StudyView even = study;
  even.trials.push_back(trial_with(5, TrialState::complete, flat_curve(0.9)));
  CHECK(judge(*median, even, {{100, 0.74}}, 100));
  CHECK_FALSE(judge(*median, even, {{100, 0.76}}, 100));
}

TEST_CASE("median pruner: minimise direction and NaN values") {
  auto median = pruner("median");
  const StudyView study = five_completed(Direction::minimize);  // losses 0.5 .. 0.9, median 0.7
  CHECK(judge(*median, study, {{100, 0.8}}, 100));
  CHECK_FALSE(judge(*median, study, {{100, 0.6}}, 100));
  CHECK_FALSE(judge(*median, study, {{100, 0.9}, {200, 0.4}, {300, 0.95}}, 300));  // best so far 0.4
  // A trial with nothing but NaN is pruned; a NaN among its values is skipped.
  CHECK(judge(*median, study, {{100, kNaN}}, 100));
  CHECK_FALSE(judge(*median, study, {{100, 0.6}, {200, kNaN}}, 200));
  // The others' NaNs stay out of the median (but count toward n_min_trials): 0.7, 0.8, 0.9 -> 0.8.
  StudyView with_nan = study;
  with_nan.trials[0].intermediate_values[100] = kNaN;
  with_nan.trials[1].intermediate_values[100] = kNaN;
  CHECK_FALSE(judge(*median, with_nan, {{100, 0.75}}, 100));
  CHECK(judge(*median, with_nan, {{100, 0.85}}, 100));
  // All the others NaN at that step: no median, no pruning.
  StudyView all_nan = study;
  for (auto& t : all_nan.trials) t.intermediate_values[100] = kNaN;
  CHECK_FALSE(judge(*median, all_nan, {{100, 5.0}}, 100));
}

TEST_CASE("median pruner: n_startup_trials, n_warmup_steps, interval_steps and n_min_trials") {
  const std::map<std::int64_t, double> bad{{100, 0.1}, {200, 0.1}, {300, 0.1}, {400, 0.1}, {500, 0.1}, {600, 0.1}};
  auto up_to = [&](std::int64_t step) {
    std::map<std::int64_t, double> curve;
    for (const auto& [s, v] : bad)
      if (s <= step) curve[s] = v;
    return curve;
  };

  SUBCASE("startup counts COMPLETE trials only") {
    auto median = pruner("median");  // n_startup_trials 5
    StudyView four = five_completed();
    four.trials.pop_back();
    CHECK_FALSE(judge(*median, four, up_to(100), 100));
    four.trials.push_back(trial_with(4, TrialState::pruned, flat_curve(0.9)));
    four.trials.push_back(trial_with(5, TrialState::running, flat_curve(0.9)));
    CHECK_FALSE(judge(*median, four, up_to(100), 100));
    four.trials[4].state = TrialState::complete;
    CHECK(judge(*median, four, up_to(100), 100));
    CHECK(judge(*pruner("median", {{"n_startup_trials", 1}}), four, up_to(100), 100));
    StudyView none;
    none.trials.push_back(trial_with(0, TrialState::pruned, flat_curve(0.9)));
    CHECK_FALSE(judge(*pruner("median", {{"n_startup_trials", 0}}), none, up_to(100), 100));  // no COMPLETE trial
  }
  SUBCASE("warm-up steps") {
    auto median = pruner("median", {{"n_warmup_steps", 200}});
    CHECK_FALSE(judge(*median, five_completed(), up_to(100), 100));
    CHECK(judge(*median, five_completed(), up_to(200), 200));
  }
  SUBCASE("interval steps: the first evaluation of each window from the warm-up") {
    std::set<std::int64_t> checked;
    auto median = pruner("median", {{"interval_steps", 300}});
    for (std::int64_t step = 100; step <= 600; step += 100)
      if (judge(*median, five_completed(), up_to(step), step)) checked.insert(step);
    CHECK(checked == std::set<std::int64_t>{100, 300, 600});  // windows [0, 300), [300, 600), [600, 900)
    checked.clear();
    auto offset = pruner("median", {{"interval_steps", 250}, {"n_warmup_steps", 150}});
    for (std::int64_t step = 100; step <= 600; step += 100)
      if (judge(*offset, five_completed(), up_to(step), step)) checked.insert(step);
    CHECK(checked == std::set<std::int64_t>{200, 400});  // windows [150, 400), [400, 650)
  }
  SUBCASE("n_min_trials: values reported at exactly this step") {
    StudyView study = five_completed();
    for (int i = 0; i < 3; ++i) study.trials[i].intermediate_values[150] = 0.8;
    CHECK(judge(*pruner("median", {{"n_min_trials", 3}}), study, {{150, 0.1}}, 150));
    CHECK_FALSE(judge(*pruner("median", {{"n_min_trials", 4}}), study, {{150, 0.1}}, 150));
    CHECK_FALSE(judge(*pruner("median"), study, {{175, 0.1}}, 175));  // no trial reported at 175
  }
}

TEST_CASE("median pruner: Optuna's decisions on a fixed sequence") {
  // Reference from Optuna 5.0.0: .venv/bin/python tests/search/pruner_reference.py
  const std::vector<std::int64_t> optuna_startup3_warmup150_interval200_min2{
      0, 0, 0, 0, 400, 200, 200, 200, 800, 0, 200, 200, 200, 200, 400, 200, 200, 200, 200, 400};
  const std::vector<std::int64_t> optuna_defaults_maximize{0,   0,   0,   0,   0,   100, 100, 100, 0,   0,
                                                           100, 100, 100, 100, 0,   100, 100, 100, 100, 300};
  auto configured = pruner("median", {{"n_startup_trials", 3}, {"n_warmup_steps", 150}, {"interval_steps", 200},
                                      {"n_min_trials", 2}});
  CHECK(run_plugin(*configured, Direction::minimize) == optuna_startup3_warmup150_interval200_min2);
  CHECK(run_plugin(*pruner("median"), Direction::maximize) == optuna_defaults_maximize);
}

TEST_CASE("asha pruner: promotes by rung exactly as the algorithm says on a fixed sequence") {
  struct Case {
    const char* name;
    Table options;
    AshaSettings rule;
    Direction direction;
    std::vector<std::int64_t> optuna;  // Optuna 5.0.0's prune steps: tests/search/pruner_reference.py
  };
  const std::vector<Case> cases{
      {"min_resource 30, eta 2 (one evaluation passes two rungs)",
       {{"min_resource", 30}, {"reduction_factor", 2}},
       {30, 2, 0, 0},
       Direction::minimize,
       {0, 100, 0, 100, 100, 100, 100, 100, 200, 100, 100, 100, 100, 100, 300, 100, 100, 100, 100, 200}},
      {"min_resource auto, eta 3",
       {{"min_resource", "auto"}, {"reduction_factor", 3}},
       {std::nullopt, 3, 0, 0},
       Direction::minimize,
       {0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100}},
      {"min_resource 100, eta 2, rate 1, bootstrap 2, maximise",
       {{"min_resource", 100}, {"reduction_factor", 2}, {"min_early_stopping_rate", 1}, {"bootstrap_count", 2}},
       {100, 2, 1, 2},
       Direction::maximize,
       {200, 200, 400, 400, 200, 200, 200, 200, 400, 800, 200, 200, 200, 200, 400, 400, 400, 200, 200, 400}},
      {"defaults",
       {},
       {std::nullopt, 4, 0, 0},
       Direction::minimize,
       {0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto asha = pruner("asha", c.options);
    const auto decisions = run_plugin(*asha, c.direction);
    CHECK(decisions == run_stated(c.rule, c.direction));
    CHECK(decisions == c.optuna);
  }
  // More configurations against the stated rule alone (no Optuna run needed).
  for (std::int64_t eta = 2; eta <= 4; ++eta)
    for (std::int64_t min_resource : {50, 100, 150, 250})
      for (std::int64_t rate = 0; rate <= 1; ++rate)
        for (std::int64_t bootstrap = 0; bootstrap <= 1; ++bootstrap)
          for (auto direction : {Direction::minimize, Direction::maximize}) {
            CAPTURE(eta);
            CAPTURE(min_resource);
            CAPTURE(rate);
            CAPTURE(bootstrap);
            auto asha = pruner("asha", {{"min_resource", min_resource}, {"reduction_factor", eta},
                                        {"min_early_stopping_rate", rate}, {"bootstrap_count", bootstrap}});
            CHECK(run_plugin(*asha, direction) == run_stated(AshaSettings{min_resource, eta, rate, bootstrap}, direction));
          }
}

TEST_CASE("asha pruner: rungs on hand-built curves") {
  // min_resource 100, eta 2: rungs end at steps 100, 200, 400, 800.
  auto asha = pruner("asha", {{"min_resource", 100}, {"reduction_factor", 2}});
  StudyView study;
  study.direction = Direction::minimize;
  study.trials.push_back(trial_with(0, TrialState::complete, {{100, 0.5}, {200, 0.4}, {400, 0.3}, {800, 0.2}}));
  study.trials.push_back(trial_with(1, TrialState::complete, {{100, 0.6}, {200, 0.35}, {400, 0.25}, {800, 0.15}}));
  // Rung 0 holds 0.5, 0.6 and the new value: 3 values, top 3 // 2 = 1, so only a new best continues.
  CHECK_FALSE(judge(*asha, study, {{100, 0.45}}, 100));
  CHECK(judge(*asha, study, {{100, 0.55}}, 100));
  // Between rungs nothing is judged.
  CHECK_FALSE(judge(*asha, study, {{100, 0.45}, {150, 9.0}}, 150));
  // An evaluation past a rung's step is the trial's value at that rung (Optuna judges the first report at or
  // past it): evaluations every 150 steps meet rung 0 at 150 and rung 1 (200) at 300.
  CHECK(judge(*asha, study, {{150, 0.55}}, 150));
  CHECK_FALSE(judge(*asha, study, {{150, 0.45}, {300, 0.3}}, 300));
  CHECK(judge(*asha, study, {{150, 0.45}, {300, 0.38}}, 300));  // rung 1: 0.4, 0.35, 0.38 -> 0.38 not the best
  // A trial pruned at rung 0 holds a value there but none at rung 1, though its evaluation passed 200 steps.
  StudyView with_pruned = study;
  with_pruned.trials.push_back(trial_with(2, TrialState::pruned, {{250, 0.7}}));
  // Rung 1 holds 0.4 and 0.35 only: with 0.36 that is 3 values, top 1 -> pruned; with 0.3 -> continues.
  CHECK(judge(*asha, with_pruned, {{100, 0.45}, {200, 0.36}}, 200));
  CHECK_FALSE(judge(*asha, with_pruned, {{100, 0.45}, {200, 0.3}}, 200));
  // Rung 0 holds 0.5, 0.6, 0.7 (the pruned trial's) and the new value: 4 values, top 2.
  CHECK_FALSE(judge(*asha, with_pruned, {{100, 0.55}}, 100));
  CHECK(judge(*asha, with_pruned, {{100, 0.65}}, 100));
}

TEST_CASE("asha pruner: min_resource auto waits for a completed trial and leaves it out of the rungs") {
  auto asha = pruner("asha", {{"reduction_factor", 2}});
  StudyView study;
  study.direction = Direction::maximize;
  CHECK_FALSE(judge(*asha, study, {{100, 0.0}}, 100));  // nothing completed: no min_resource yet
  study.trials.push_back(trial_with(0, TrialState::running, flat_curve(0.9)));
  CHECK_FALSE(judge(*asha, study, {{100, 0.0}}, 100));
  // Trial 0 completes at step 600: min_resource 600 // 100 = 6, rungs at 6, 12, 24, 48, 96, 192, ...
  study.trials[0].state = TrialState::complete;
  // It ran before min_resource was known, so it holds no rung value: a poor trial 1 is alone and continues.
  CHECK_FALSE(judge(*asha, study, {{100, 0.1}}, 100));
  study.trials.push_back(trial_with(1, TrialState::complete, flat_curve(0.6)));
  // Trial 2 competes with trial 1's 0.6 at rungs 6..96 (all passed at step 100): 2 values, top 1.
  CHECK(judge(*asha, study, {{100, 0.5}}, 100));
  CHECK_FALSE(judge(*asha, study, {{100, 0.7}}, 100));
}

TEST_CASE("pruner options are validated, naming the key") {
  auto error_key = [](const std::string& name, Table options) -> std::string {
    try {
      pruner(name, std::move(options));
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_key("median", {{"n_startup_trials", -1}}).find("search.pruner.options.n_startup_trials") !=
        std::string::npos);
  CHECK(error_key("median", {{"n_warmup_steps", -5}}).find("n_warmup_steps") != std::string::npos);
  CHECK(error_key("median", {{"interval_steps", 0}}).find("interval_steps") != std::string::npos);
  CHECK(error_key("median", {{"n_min_trials", 0}}).find("n_min_trials") != std::string::npos);
  CHECK(error_key("median", {{"interval_steps", 2.5}}).find("interval_steps") != std::string::npos);
  CHECK(error_key("median", {{"percentile", 25}}).find("unknown option") != std::string::npos);
  CHECK(error_key("asha", {{"min_resource", 0}}).find("min_resource") != std::string::npos);
  CHECK(error_key("asha", {{"min_resource", "half"}}).find("min_resource") != std::string::npos);
  CHECK(error_key("asha", {{"min_resource", 1.5}}).find("min_resource") != std::string::npos);
  CHECK(error_key("asha", {{"reduction_factor", 1}}).find("reduction_factor") != std::string::npos);
  CHECK(error_key("asha", {{"min_early_stopping_rate", -1}}).find("min_early_stopping_rate") != std::string::npos);
  CHECK(error_key("asha", {{"bootstrap_count", -1}}).find("bootstrap_count") != std::string::npos);
  CHECK(error_key("asha", {{"bootstrap_count", 2}}).find("bootstrap_count") != std::string::npos);  // with auto
  CHECK(error_key("asha", {{"bootstrap_count", 2}, {"min_resource", 10}}) == "no error");
  CHECK(error_key("asha", {{"eta", 3}}).find("unknown option") != std::string::npos);
}
