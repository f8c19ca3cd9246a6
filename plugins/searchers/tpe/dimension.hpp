// One parameter of the search space as TPE models it. Every parameter gets an
// "internal" real coordinate on which its Parzen kernels live, as in Optuna's
// _ParzenEstimator._calculate_numerical_distributions:
//  - uniform: the value itself, on [low, high];
//  - log_uniform: log(value), on [log low, log high];
//  - quantized ranges (int, or uniform with `step`): grid points low + k·step,
//    each owning the bin [v - step/2, v + step/2], so the kernel range is
//    widened by half a step at both ends; log ints take the log of the bin
//    edges. Probabilities of a grid point are masses of its bin;
//  - categorical: the index of the choice (the kernels are tables there).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include <bertlab/study.hpp>

namespace bertlab::tpe {

class Dimension {
 public:
  // Throws std::invalid_argument naming the parameter when the distribution
  // cannot be searched (low > high, log of a non-positive bound, no choices).
  Dimension(std::string name, const Distribution& distribution);

  const std::string& name() const { return name_; }
  bool categorical() const { return distribution_.kind == Distribution::Kind::categorical; }
  std::size_t n_choices() const { return distribution_.choices.size(); }
  bool quantized() const { return step_ > 0; }
  // A single possible value (low == high, one choice): nothing to model.
  bool fixed() const;

  // Kernel range on the internal axis (numeric parameters).
  double low() const { return low_; }
  double high() const { return high_; }

  // A trial's value on the internal axis; nullopt when it has the wrong type
  // or lies outside the distribution (e.g. a warm-start trial from a wider
  // range), so that it is not used as an observation.
  std::optional<double> encode(const Value& value) const;
  // The parameter value of an internal coordinate (snapped to the grid,
  // clamped into the distribution; ints come back as integer Values).
  Value decode(double internal) const;
  // A quantized coordinate moved onto its grid point's internal position.
  double snap(double internal) const;
  // The internal edges of the bin a quantized coordinate's grid point owns.
  std::pair<double, double> bin(double internal) const;

  // A uniform draw over the distribution, as an internal coordinate (the
  // startup trials' random search): uniform per choice and per grid point,
  // uniform in log space for log ranges.
  double draw_uniform(std::mt19937_64& rng) const;

 private:
  std::int64_t grid_index(double original) const;
  double to_internal(double original) const { return log_ ? std::log(original) : original; }
  double to_original(double internal) const { return log_ ? std::exp(internal) : internal; }

  std::string name_;
  Distribution distribution_;
  bool log_ = false;
  double step_ = 0;            // grid spacing in the original space, 0 when continuous
  std::int64_t last_index_ = 0;  // grid points are low + k·step, k = 0..last_index_
  double low_ = 0, high_ = 0;  // internal kernel range
};

}  // namespace bertlab::tpe
