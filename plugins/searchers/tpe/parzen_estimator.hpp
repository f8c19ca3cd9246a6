// A Parzen estimator over one or more dimensions: a weighted mixture with one
// kernel per observation plus a prior kernel, each kernel a product over the
// dimensions of a truncated normal (numeric; a bin mass for quantized ones)
// or a probability table (categorical). TPE builds one on the good
// observations, l(x), and one on the rest, g(x) (Bergstra et al. 2011, §4),
// following Optuna's _ParzenEstimator:
//  - kernel bandwidths, per dimension: the larger distance from each
//    observation to its sorted neighbours, the range ends included (with
//    consider_endpoints false the outermost kernels use their inner neighbour
//    only) — the same rule for a joint (multivariate) estimator, as in
//    Optuna 5, which dropped the separate multivariate bandwidth rule;
//  - magic clip: bandwidths at least range / min(100, n + 2), else 1e-12; at
//    most the range;
//  - the prior: centre of the range, bandwidth the range (uniform over the
//    choices for a categorical), mixture weight `prior_weight`;
//  - categorical kernels: prior_weight / (n + 1) on every choice plus 1 on the
//    observed one, normalised.
#pragma once

#include <random>
#include <vector>

#include "dimension.hpp"

namespace bertlab::tpe {

struct ParzenSettings {
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
};

class ParzenEstimator {
 public:
  using Point = std::vector<double>;  // one internal coordinate per dimension

  // `observations[i]` has one coordinate per dimension; `weights[i]` >= 0 is
  // its mixture weight before the prior is added and all are normalised.
  ParzenEstimator(std::vector<const Dimension*> dimensions, const std::vector<Point>& observations,
                  const std::vector<double>& weights, const ParzenSettings& settings);

  // `count` points drawn from the mixture; quantized coordinates on their grid.
  std::vector<Point> sample(std::mt19937_64& rng, int count) const;
  // log density of a point (log probability for categorical and quantized
  // coordinates), on the internal axes.
  double log_pdf(const Point& point) const;

 private:
  struct NumericKernels {
    std::vector<double> mu, sigma;
    // Per kernel, log of its mass inside [low, high] plus, for densities, log sigma.
    std::vector<double> log_normaliser, log_density_normaliser;
  };
  struct CategoricalKernels {
    std::vector<std::vector<double>> probability, log_probability;  // [kernel][choice]
  };
  struct Column {
    const Dimension* dimension;
    NumericKernels numeric;
    CategoricalKernels categorical;
  };

  Column numeric_column(const Dimension& dimension, const std::vector<double>& mus,
                        const ParzenSettings& settings) const;
  Column categorical_column(const Dimension& dimension, const std::vector<double>& observed,
                            const ParzenSettings& settings) const;
  double log_kernel(const Column& column, std::size_t kernel, double x) const;

  std::size_t n_dimensions_ = 0;
  std::vector<double> weights_;      // normalised mixture weights, the prior last
  std::vector<double> log_weights_;
  std::vector<Column> columns_;
};

}  // namespace bertlab::tpe
