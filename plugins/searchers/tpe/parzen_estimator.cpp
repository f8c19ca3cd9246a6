#include "parzen_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "seeded_rng.hpp"
#include "truncated_normal.hpp"

namespace bertlab::tpe {

namespace {

constexpr double kEps = 1e-12;  // Optuna's smallest bandwidth without magic clip

std::size_t pick(const std::vector<double>& probabilities, std::mt19937_64& rng) {
  double u = unit(rng);
  for (std::size_t i = 0; i + 1 < probabilities.size(); ++i) {
    if (u < probabilities[i]) return i;
    u -= probabilities[i];
  }
  return probabilities.size() - 1;
}

double log_sum_exp(const std::vector<double>& terms) {
  const double top = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

// Bandwidths (Optuna 5's _calculate_numerical_distributions): each
// observation's sigma is the larger gap to its sorted neighbours, the two ends
// of the range counting as neighbours; without consider_endpoints the lowest
// and highest observations use their inner gap only.
std::vector<double> neighbour_bandwidths(const std::vector<double>& mus, double low, double high,
                                         bool consider_endpoints) {
  const std::size_t n = mus.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mus[a] < mus[b]; });
  std::vector<double> sorted{low};  // low, the observations in order, high
  for (std::size_t i : order) sorted.push_back(mus[i]);
  sorted.push_back(high);
  std::vector<double> sorted_sigma(n);
  for (std::size_t i = 0; i < n; ++i)
    sorted_sigma[i] = std::max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
  if (!consider_endpoints && n >= 2) {
    sorted_sigma.front() = sorted[2] - sorted[1];
    sorted_sigma.back() = sorted[n] - sorted[n - 1];
  }
  std::vector<double> sigma(n);
  for (std::size_t rank = 0; rank < n; ++rank) sigma[order[rank]] = sorted_sigma[rank];
  return sigma;
}

}  // namespace

ParzenEstimator::ParzenEstimator(std::vector<const Dimension*> dimensions, const std::vector<Point>& observations,
                                 const std::vector<double>& weights, const ParzenSettings& settings)
    : n_dimensions_(dimensions.size()) {
  if (!(settings.prior_weight > 0)) throw std::invalid_argument("prior_weight must be positive");
  if (weights.size() != observations.size()) throw std::invalid_argument("one weight per observation");
  const std::size_t n = observations.size();
  weights_ = weights;
  if (n > 0) weights_.push_back(settings.prior_weight);
  else weights_ = {1.0};
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) {
    w /= total;
    log_weights_.push_back(std::log(w));
  }
  for (std::size_t d = 0; d < n_dimensions_; ++d) {
    std::vector<double> column(n);
    for (std::size_t i = 0; i < n; ++i) column[i] = observations[i].at(d);
    const Dimension& dimension = *dimensions[d];
    columns_.push_back(dimension.categorical() ? categorical_column(dimension, column, settings)
                                               : numeric_column(dimension, column, settings));
  }
}

ParzenEstimator::Column ParzenEstimator::numeric_column(const Dimension& dimension, const std::vector<double>& mus,
                                                        const ParzenSettings& settings) const {
  const double low = dimension.low(), high = dimension.high(), range = high - low;
  const std::size_t n = mus.size();
  std::vector<double> sigma = neighbour_bandwidths(mus, low, high, settings.consider_endpoints);
  const double min_sigma =
      settings.consider_magic_clip ? range / std::min(100.0, 1.0 + static_cast<double>(n + 1)) : kEps;
  for (double& s : sigma) s = std::clamp(s, std::min(min_sigma, range), range);

  Column column{&dimension, {}, {}};
  NumericKernels& k = column.numeric;
  k.mu = mus;
  k.sigma = sigma;
  k.mu.push_back(0.5 * (low + high));  // the prior
  k.sigma.push_back(range);
  for (std::size_t i = 0; i < k.mu.size(); ++i) {
    k.sigma[i] = std::max(k.sigma[i], kEps);
    k.log_normaliser.push_back(log_normal_mass((low - k.mu[i]) / k.sigma[i], (high - k.mu[i]) / k.sigma[i]));
    k.log_density_normaliser.push_back(k.log_normaliser.back() + std::log(k.sigma[i]));
  }
  if (n == 0) {  // only the prior
    k.mu = {k.mu.back()};
    k.sigma = {k.sigma.back()};
    k.log_normaliser = {k.log_normaliser.back()};
    k.log_density_normaliser = {k.log_density_normaliser.back()};
  }
  return column;
}

ParzenEstimator::Column ParzenEstimator::categorical_column(const Dimension& dimension,
                                                            const std::vector<double>& observed,
                                                            const ParzenSettings& settings) const {
  const std::size_t choices = dimension.n_choices(), n = observed.size();
  Column column{&dimension, {}, {}};
  CategoricalKernels& k = column.categorical;
  const double floor = n == 0 ? 1.0 : settings.prior_weight / static_cast<double>(n + 1);
  for (std::size_t i = 0; i < (n == 0 ? 1 : n + 1); ++i) {
    std::vector<double> row(choices, floor);
    if (i < n) row[static_cast<std::size_t>(observed[i])] += 1.0;
    const double sum = std::accumulate(row.begin(), row.end(), 0.0);
    std::vector<double> log_row;
    for (double& p : row) {
      p /= sum;
      log_row.push_back(std::log(p));
    }
    k.probability.push_back(std::move(row));
    k.log_probability.push_back(std::move(log_row));
  }
  return column;
}

std::vector<ParzenEstimator::Point> ParzenEstimator::sample(std::mt19937_64& rng, int count) const {
  std::vector<Point> points;
  for (int c = 0; c < count; ++c) {
    const std::size_t kernel = pick(weights_, rng);
    Point point;
    for (const Column& column : columns_) {
      const Dimension& dimension = *column.dimension;
      if (dimension.categorical()) {
        point.push_back(static_cast<double>(pick(column.categorical.probability[kernel], rng)));
        continue;
      }
      const double mu = column.numeric.mu[kernel], sigma = column.numeric.sigma[kernel];
      const double z = sample_truncated_standard_normal((dimension.low() - mu) / sigma,
                                                        (dimension.high() - mu) / sigma, rng);
      point.push_back(dimension.snap(std::clamp(mu + sigma * z, dimension.low(), dimension.high())));
    }
    points.push_back(std::move(point));
  }
  return points;
}

double ParzenEstimator::log_kernel(const Column& column, std::size_t kernel, double x) const {
  const Dimension& dimension = *column.dimension;
  if (dimension.categorical())
    return column.categorical.log_probability[kernel][static_cast<std::size_t>(std::llround(x))];
  const double mu = column.numeric.mu[kernel], sigma = column.numeric.sigma[kernel];
  if (dimension.quantized()) {
    const auto [lo, hi] = dimension.bin(x);
    return log_normal_mass((lo - mu) / sigma, (hi - mu) / sigma) - column.numeric.log_normaliser[kernel];
  }
  return log_normal_pdf((x - mu) / sigma) - column.numeric.log_density_normaliser[kernel];
}

double ParzenEstimator::log_pdf(const Point& point) const {
  std::vector<double> terms(weights_.size());
  for (std::size_t kernel = 0; kernel < weights_.size(); ++kernel) {
    double log_p = log_weights_[kernel];
    for (std::size_t d = 0; d < n_dimensions_; ++d) log_p += log_kernel(columns_[d], kernel, point[d]);
    terms[kernel] = log_p;
  }
  return log_sum_exp(terms);
}

}  // namespace bertlab::tpe
