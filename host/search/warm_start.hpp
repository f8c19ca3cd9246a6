// Warm start from history: `[search] warm_start = ["study-a", ...]` or
// "similar" hands the searcher the finished trials of earlier studies in the
// store (StudyView::history), so a study on a related task starts from what
// those learned instead of from random draws.
//
// "similar" picks the one earlier study with the same model, head and metric
// whose training data is most alike (data_signature.hpp: MinHash of the
// word sets), among those whose search space shares a parameter with this one.
#pragma once

#include <cstdint>
#include <vector>

#include "bertlab/study.hpp"
#include "experiment/experiment.hpp"
#include "store/store.hpp"

namespace bertlab::search {

// The history for `study`; empty when the experiment asks for no warm start.
// A named study that is missing or optimises another metric is an
// ExperimentError naming the key.
std::vector<TrialView> warm_start_history(store::Store& store, const experiment::Experiment& experiment,
                                          const store::StudyRecord& study,
                                          const std::vector<std::uint64_t>& data_signature);

}  // namespace bertlab::search
