// A pretraining study: what `bertlab pretrain` (and `bertlab run` on an
// experiment with a [pretrain] section, and its workers) runs. The corpus is
// read, tokenized and cut into instances once per process; each trial then
// pretrains from the experiment's checkpoint (continued, domain-adaptive
// pretraining) or from a fresh model of the [model.config] sizes (from
// scratch), through the same trial loop as fine-tuning, so that searching,
// pruning, workers, failures and interrupts behave the same. Each trial's
// best checkpoint is its "model" artifact, which `[model] from_trial`
// fine-tunes from.
#pragma once

#include <atomic>

#include "experiment/experiment.hpp"
#include "search/study_runner.hpp"

namespace bertlab::pretrain {

search::StudyOutcome run_pretraining_study(const experiment::Experiment& experiment, search::StudyMode mode,
                                           const std::atomic<bool>& interrupted, search::StudyObserver& observer);

}  // namespace bertlab::pretrain
