// Several study processes on one store (tests/search/search_worker: the trial
// loop of `bertlab run` / `bertlab worker` with a cheap objective).
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "store/store.hpp"
#include "support.hpp"

using bertlab::TrialState;
using bertlab::test::shell_quote;

namespace {

std::string worker_command(const bertlab::test::ScratchDir& dir, const std::string& args, const std::string& out) {
  return shell_quote(BERTLAB_SEARCH_WORKER) + " " + shell_quote((dir / "study.db").string()) + " s " + args + " >" +
         shell_quote((dir / out).string()) + " 2>&1";
}

int run_script(const bertlab::test::ScratchDir& dir, const std::string& script) {
  std::ofstream(dir / "script.sh") << "set -e\n" << script;
  return std::system(("bash " + shell_quote((dir / "script.sh").string())).c_str());
}

// The K of the "done K" line a worker prints at its end.
long trials_run(const std::string& output) {
  auto at = output.rfind("done ");
  return at == std::string::npos ? -1 : std::stol(output.substr(at + 5));
}

std::vector<bertlab::store::TrialRecord> trials_of(const bertlab::test::ScratchDir& dir) {
  auto store = bertlab::store::open_store((dir / "study.db").string(), true);
  return store->trials(store->find_study("s")->id);
}

}  // namespace

TEST_CASE("workers: 4 processes share a 100-trial study: 100 trials, numbers unique, none lost") {
  bertlab::test::ScratchDir dir;
  std::string script;
  for (int i = 1; i <= 4; ++i) script += worker_command(dir, "100 5 5000", "out" + std::to_string(i)) + " &\n";
  script += "wait\n";
  REQUIRE(run_script(dir, script) == 0);

  long total = 0;
  for (int i = 1; i <= 4; ++i) {
    const auto output = bertlab::test::read_file(dir / ("out" + std::to_string(i)));
    INFO(output);
    CHECK(trials_run(output) >= 1);  // every worker took part
    total += trials_run(output);
  }
  CHECK(total == 100);
  const auto trials = trials_of(dir);
  REQUIRE(trials.size() == 100);
  std::set<std::int64_t> numbers;
  for (const auto& trial : trials) {
    numbers.insert(trial.number);
    CHECK(trial.state == TrialState::complete);
    CHECK(trial.value.has_value());
    CHECK(trial.intermediate_values.size() == 1);
  }
  CHECK(numbers.size() == 100);
  CHECK(*numbers.rbegin() == 99);
}

TEST_CASE("workers: a live worker's heartbeat keeps its long trial from being taken for lost") {
  bertlab::test::ScratchDir dir;
  // Trials of 2.5 s against a 1 s timeout: only the heartbeat (every 250 ms) keeps them alive
  // while the other worker checks for lost trials before each of its own.
  const std::string script = worker_command(dir, "8 2500 1000 retry", "slow") + " &\n" +
                             worker_command(dir, "8 300 1000 retry", "fast") + " &\nwait\n";
  REQUIRE(run_script(dir, script) == 0);
  for (const auto& trial : trials_of(dir)) {
    INFO("trial " << trial.number << ": " << trial.error);
    CHECK(trial.state == TrialState::complete);
  }
  CHECK(bertlab::test::read_file(dir / "fast").find("lost") == std::string::npos);
}

TEST_CASE("workers: a worker killed mid-trial is detected by heartbeat, its trial FAILED and re-queued, and the study "
          "completes on resume") {
  bertlab::test::ScratchDir dir;
  const std::string doomed = (dir / "doomed").string();
  const std::string script =
      worker_command(dir, "5 60000 1000 retry", "doomed") + " & pid=$!\n" +
      "for i in $(seq 300); do grep -q 'trial 0' " + shell_quote(doomed) + " && break; sleep 0.05; done\n" +
      "kill -KILL $pid; wait $pid || true\n"
      "sleep 1.5\n" +  // past the heartbeat timeout
      worker_command(dir, "5 20 1000 retry", "resumed") + "\n";
  REQUIRE(run_script(dir, script) == 0);
  const auto resumed = bertlab::test::read_file(dir / "resumed");
  INFO(resumed);
  CHECK(resumed.find("lost 0") != std::string::npos);
  CHECK(trials_run(resumed) == 5);

  const auto trials = trials_of(dir);
  REQUIRE(trials.size() == 6);  // the lost trial does not count toward the 5
  CHECK(trials[0].state == TrialState::failed);
  CHECK(trials[0].error.starts_with("worker lost: no heartbeat since "));
  CHECK(trials[0].attributes["requeued"] == true);
  CHECK(trials[1].params == trials[0].params);  // the retry runs first
  CHECK(trials[1].attributes["queued"] == "retry of trial 0");
  for (std::size_t i = 1; i < trials.size(); ++i) CHECK(trials[i].state == TrialState::complete);
}
