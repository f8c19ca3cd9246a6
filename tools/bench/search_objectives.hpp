// Synthetic objectives for searcher tests and tools/bench/search, with the
// search spaces they are defined on. search_objectives.py holds the same functions
// for the Optuna side of the benchmark; keep the two in step.
//
// All are minimised. Known minima: Branin 0.397887, Hartmann-6 -3.32237;
// the fine-tuning-like function's noise-free minimum is 0.0 (an "error rate"
// floor of 0.08 is added, so the reported optimum is about 0.08).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "bertlab/searcher.hpp"

namespace bertlab::bench {

inline Distribution uniform_dist(double low, double high) {
  Distribution d;
  d.kind = Distribution::Kind::uniform;
  d.low = low;
  d.high = high;
  return d;
}
inline Distribution log_uniform_dist(double low, double high) {
  Distribution d = uniform_dist(low, high);
  d.kind = Distribution::Kind::log_uniform;
  return d;
}
inline Distribution choice_dist(Array choices) {
  Distribution d;
  d.kind = Distribution::Kind::categorical;
  d.choices = std::move(choices);
  return d;
}

inline double number(const Table& params, const std::string& name) {
  const Value& v = params.at(name);
  return v.is_int() ? static_cast<double>(v.as_int()) : v.as_double();
}

struct Objective {
  std::string name;
  SearchSpace space;
  // Params -> value to minimise. `noise_seed` makes noisy objectives reproducible per evaluation.
  std::function<double(const Table& params, std::uint64_t noise_seed)> evaluate;
};

// Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; three global minima of 0.397887.
inline double branin(double x1, double x2) {
  constexpr double pi = 3.14159265358979323846;
  const double a = 1, b = 5.1 / (4 * pi * pi), c = 5 / pi, r = 6, s = 10, t = 1 / (8 * pi);
  return a * std::pow(x2 - b * x1 * x1 + c * x1 - r, 2) + s * (1 - t) * std::cos(x1) + s;
}

// Hartmann-6 on [0, 1]^6; global minimum -3.32237.
inline double hartmann6(const std::array<double, 6>& x) {
  static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static constexpr double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                     {0.05, 10, 17, 0.1, 8, 14},
                                     {3, 3.5, 1.7, 10, 17, 8},
                                     {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                     {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                     {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                     {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) inner += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

// A fine-tuning-like error surface: dev error as a function of log10 learning
// rate (best near `best_log_lr`, a steep wall above it where training
// diverges), batch size (mild interaction with the learning rate: bigger
// batches like bigger rates), warmup (helps a little, up to ~0.1) and weight
// decay (nearly flat), plus Gaussian evaluation noise of sd 0.005.
// `best_log_lr` moves the optimum so a related "task" can be made for
// warm-start experiments.
inline double finetune_like(double learning_rate, std::int64_t batch_size, double warmup, double weight_decay,
                            double best_log_lr, std::uint64_t noise_seed) {
  const double log_lr = std::log10(learning_rate);
  const double batch_shift = 0.25 * std::log2(static_cast<double>(batch_size) / 32.0);
  const double d = log_lr - (best_log_lr + batch_shift);
  const double lr_term = d < 0 ? 0.08 * d * d : 0.08 * d * d + 0.6 * d * d * d;  // diverges faster above
  const double warmup_term = 0.03 * std::pow(std::min(warmup, 0.1) - 0.1, 2) / 0.01 + 0.01 * std::max(0.0, warmup - 0.1);
  const double decay_term = 0.005 * std::abs(weight_decay - 0.01) / 0.1;
  std::mt19937_64 rng(noise_seed);
  std::normal_distribution<double> noise(0.0, 0.005);  // the bench runs one libstdc++; exact draws need not match Python
  return 0.08 + lr_term + warmup_term + decay_term + noise(rng);
}

inline Objective branin_objective() {
  Objective o;
  o.name = "branin";
  o.space.params.emplace_back("x1", uniform_dist(-5, 10));
  o.space.params.emplace_back("x2", uniform_dist(0, 15));
  o.evaluate = [](const Table& p, std::uint64_t) { return branin(number(p, "x1"), number(p, "x2")); };
  return o;
}

inline Objective hartmann6_objective() {
  Objective o;
  o.name = "hartmann6";
  for (int i = 0; i < 6; ++i) o.space.params.emplace_back("x" + std::to_string(i + 1), uniform_dist(0, 1));
  o.evaluate = [](const Table& p, std::uint64_t) {
    std::array<double, 6> x{};
    for (int i = 0; i < 6; ++i) x[i] = number(p, "x" + std::to_string(i + 1));
    return hartmann6(x);
  };
  return o;
}

inline Objective finetune_objective(double best_log_lr = -4.3) {
  Objective o;
  o.name = "finetune";
  o.space.params.emplace_back("learning_rate", log_uniform_dist(1e-5, 3e-4));
  o.space.params.emplace_back("batch_size", choice_dist({16, 32, 64}));
  o.space.params.emplace_back("warmup_ratio", uniform_dist(0, 0.2));
  o.space.params.emplace_back("weight_decay", uniform_dist(0, 0.1));
  o.evaluate = [best_log_lr](const Table& p, std::uint64_t noise_seed) {
    return finetune_like(number(p, "learning_rate"), p.at("batch_size").as_int(), number(p, "warmup_ratio"),
                         number(p, "weight_decay"), best_log_lr, noise_seed);
  };
  return o;
}

// Runs `n_trials` sequential trials of `searcher` on `objective` (minimised),
// the way the host does: each ask sees every earlier trial, COMPLETE with its
// value. `history` is passed as StudyView::history (warm start). Returns the
// best value after each trial (best_so_far[i] = min over trials 0..i).
inline std::vector<double> run_search(Searcher& searcher, const Objective& objective, std::uint64_t seed,
                                      std::int64_t n_trials, std::vector<TrialView> history = {},
                                      std::vector<TrialView>* trials_out = nullptr) {
  StudyView study;
  study.name = objective.name;
  study.metric = "value";
  study.direction = Direction::minimize;
  study.seed = seed;
  study.space = &objective.space;
  study.history = std::move(history);
  std::vector<double> best_so_far;
  for (std::int64_t n = 0; n < n_trials; ++n) {
    auto params = searcher.ask(study, n);
    if (!params) break;
    TrialView trial;
    trial.number = n;
    trial.state = TrialState::complete;
    trial.params = std::move(*params);
    trial.value = objective.evaluate(trial.params, seed * 1000003u + static_cast<std::uint64_t>(n));
    best_so_far.push_back(best_so_far.empty() ? *trial.value : std::min(best_so_far.back(), *trial.value));
    study.trials.push_back(std::move(trial));
  }
  if (trials_out) *trials_out = study.trials;
  return best_so_far;
}

}  // namespace bertlab::bench
