// A complete out-of-tree plugin: a pruner that stops a trial whose latest
// evaluation is worse than a fixed threshold once `warmup_steps` have passed.
//
//   [search.pruner]
//   plugin = "threshold"
//   threshold = 0.6
//   warmup_steps = 100
#include <bertlab/pruner.hpp>

namespace {

class ThresholdPruner final : public bertlab::Pruner {
 public:
  explicit ThresholdPruner(const bertlab::Options& options)
      : threshold_(options.get_double("threshold")),
        warmup_steps_(options.get_int_in("warmup_steps", 0, 0, INT64_MAX)) {
    options.reject_unknown({"threshold", "warmup_steps"});
  }

  bool should_prune(const bertlab::StudyView& study, const bertlab::TrialView& trial,
                    std::int64_t step) override {
    if (step < warmup_steps_) return false;
    auto latest = trial.intermediate_values.find(step);
    if (latest == trial.intermediate_values.end()) return false;
    // Worse than the threshold in the study's direction.
    return study.better(threshold_, latest->second);
  }

 private:
  double threshold_;
  std::int64_t warmup_steps_;
};

}  // namespace

BERTLAB_PLUGIN(ThresholdPruner, "threshold", "1.0.0",
               "Stops a trial whose latest value is worse than a fixed threshold")
