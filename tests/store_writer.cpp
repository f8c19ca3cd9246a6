// A second process for test_store's multi-process tests.
//
//   store_writer DB STUDY COUNT   writes COUNT complete trials, exit 0
//   store_writer DB STUDY hold    prints "holding" from inside create_trial's
//                                 write transaction, then sleeps until killed
#include <unistd.h>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

#include "store/store.hpp"

namespace {

using bertlab::Direction;
using bertlab::TrialState;
namespace store = bertlab::store;

void write_trials(store::Store& db, std::int64_t study_id, int count) {
  for (int i = 0; i < count; ++i) {
    const auto trial = db.create_trial(study_id, [&](const std::vector<store::TrialRecord>&, const std::optional<store::QueuedTrial>&) {
      store::TrialInit init;
      init.params = {{"lr", 1e-5 * (i + 1)}, {"writer", ::getpid()}};
      return init;
    });
    for (std::int64_t step = 0; step < 3; ++step)
      db.report_intermediate(trial.id, step, {{"accuracy", 0.1 * static_cast<double>(step + 1)}});
    db.set_attribute(trial.id, "writer", ::getpid());
    db.add_artifact(trial.id, "model", "models/" + std::to_string(trial.id));
    db.finish_trial(trial.id, TrialState::complete, 0.5 + 1e-4 * i, "");
    // A pause, as training would make, lets the other writers in: SQLite's
    // lock is not fair, and back-to-back transactions would mostly run alone.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void hold_inside_transaction(store::Store& db, std::int64_t study_id) {
  db.create_trial(study_id, [](const std::vector<store::TrialRecord>&, const std::optional<store::QueuedTrial>&) -> store::TrialInit {
    std::cout << "holding\n" << std::flush;
    for (;;) ::pause();
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: store_writer DB STUDY COUNT|hold\n";
    return 2;
  }
  try {
    auto db = store::open_store(argv[1]);
    const auto study = db->get_or_create_study(argv[2], "exp", "accuracy", Direction::maximize);
    const std::string mode = argv[3];
    if (mode == "hold")
      hold_inside_transaction(*db, study.id);
    else
      write_trials(*db, study.id, std::stoi(mode));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "store_writer: " << e.what() << '\n';
    return 1;
  }
}
