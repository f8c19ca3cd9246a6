// The map between a bertlab search space and the GP's unit cube, after
// Optuna's optuna/_gp/search_space.py:
//  - uniform / log_uniform: [low, high] -> [0, 1], in log space for log_uniform;
//  - uniform with `step` and int_uniform: a discrete dimension; the range is
//    widened by half a step on both sides before scaling (Optuna does so, so
//    that every grid point owns an equal share of [0, 1]), log space for
//    int_uniform with `log`; outputs are rounded back onto the step grid;
//  - categorical: one dimension holding the choice's index; the kernel
//    compares it by Hamming distance (equal or not), as Optuna's does.
// log_uniform with a `step` is modelled as continuous in log space and only
// quantized on output (Optuna forbids step with log; bertlab allows it).
//
// Only unconditional parameters are dimensions: the GP models the space that
// every trial shares. Conditional parameters are drawn at random (see
// draw_random), as Optuna's GPSampler leaves them to its independent sampler.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <bertlab/study.hpp>

namespace bertlab::gp {

struct Dimension {
  std::string name;
  const Distribution* distribution = nullptr;
  bool categorical = false;
  bool log_scale = false;
  // Discrete dimensions (int, stepped uniform, categorical): the normalised
  // position of every allowed value, ascending. Empty for continuous ones.
  std::vector<double> grid;
  // The range that maps to [0, 1] (log-transformed where log_scale).
  double scaled_low = 0.0;
  double scaled_high = 1.0;
};

class SearchSpaceEncoding {
 public:
  // Throws std::invalid_argument naming the parameter for a distribution it
  // cannot map (log range with low <= 0, no choices, high < low).
  explicit SearchSpaceEncoding(const SearchSpace& space);

  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  std::size_t size() const { return dimensions_.size(); }

  // The normalised point of a trial's params, or nullopt when it lacks one of
  // the dimensions or holds a value that is not a choice of a categorical one.
  std::optional<std::vector<double>> encode(const Table& params) const;
  // The parameter values at a normalised point (rounded, clamped, integers as
  // integer Values).
  Table decode(const std::vector<double>& point) const;

  // A uniformly random point; discrete dimensions land on their grid.
  std::vector<double> random_point(std::mt19937_64& rng) const;
  // The grid point nearest to `value` in discrete dimension `d` (value itself for a continuous one).
  double snap(std::size_t d, double value) const;

 private:
  std::vector<Dimension> dimensions_;
};

// A uniform draw in [0, 1) from 53 random bits (written out so that draws
// do not depend on the standard library's <random> distributions).
double unit_draw(std::mt19937_64& rng);
// One random value of a distribution, as the random searcher draws it
// (same transforms, so a gp study's startup trials match a random study's).
Value draw_random(const std::string& name, const Distribution& distribution, std::mt19937_64& rng);

}  // namespace bertlab::gp
