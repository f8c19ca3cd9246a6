// Which hyperparameters mattered: permutation importance on a random forest
// (Breiman 2001), the method of the dashboard's importance chart and of
// `bertlab report`. A forest of regression trees learns a study's value
// from its COMPLETE trials' params; a param's importance is how much the
// forest's out-of-bag squared error grows when that param's column is
// shuffled, averaged over trees and repeats, floored at zero and normalised
// to sum to one. Optuna's fANOVA and mean-decrease-in-impurity evaluators
// read the same kind of forest differently; its default in 5.0, PED-ANOVA,
// compares the best trials' spread over each param with all trials'.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace bertlab::dashboard {

struct ParamImportance {
  std::string param;
  double importance = 0.0;  // share of the forest's error that shuffling it adds; sums to 1 over params
};

struct ImportanceReport {
  std::string method;                    // how it was computed, for the page
  std::int64_t trials_used = 0;          // COMPLETE trials with a value and every param
  std::vector<ParamImportance> params;   // most important first; empty below 2 trials or 1 varying param
};

struct ForestSettings {
  int trees = 64;
  int repeats = 3;          // shuffles per tree and param
  int min_samples_split = 2;
  std::uint64_t seed = 0;   // the same trials give the same importances
};

ImportanceReport param_importances(const std::vector<store::TrialRecord>& trials, const ForestSettings& settings = {});

}  // namespace bertlab::dashboard
