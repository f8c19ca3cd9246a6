#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace bertlab::heads {
namespace {

double f1(double true_positives, double predicted, double actual) {
  const double denominator = predicted + actual;
  return denominator == 0 ? 0.0 : 2 * true_positives / denominator;
}

// sklearn's matthews_corrcoef: the multiclass form, which for two classes is
// (tp*tn - fp*fn) / sqrt(...), and 0 when either side is constant.
double mcc(const std::vector<double>& true_counts, const std::vector<double>& predicted_counts,
           double correct, double n) {
  double t_dot_p = 0, p_squared = 0, t_squared = 0;
  for (std::size_t k = 0; k < true_counts.size(); ++k) {
    t_dot_p += true_counts[k] * predicted_counts[k];
    p_squared += predicted_counts[k] * predicted_counts[k];
    t_squared += true_counts[k] * true_counts[k];
  }
  const double cov_tp = correct * n - t_dot_p;
  const double cov_pp = n * n - p_squared;
  const double cov_tt = n * n - t_squared;
  if (cov_pp * cov_tt == 0) return 0.0;
  return cov_tp / std::sqrt(cov_tt * cov_pp);
}

double pearson(std::span<const double> x, std::span<const double> y) {
  const double n = static_cast<double>(x.size());
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double xy = 0, xx = 0, yy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xy += (x[i] - mean_x) * (y[i] - mean_y);
    xx += (x[i] - mean_x) * (x[i] - mean_x);
    yy += (y[i] - mean_y) * (y[i] - mean_y);
  }
  if (xx == 0 || yy == 0) return 0.0;
  return xy / std::sqrt(xx * yy);
}

// 1-based ranks; tied values share the mean of the ranks they span.
std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && values[order[end]] == values[order[begin]]) ++end;
    const double rank = (static_cast<double>(begin + 1) + static_cast<double>(end)) / 2;
    for (std::size_t i = begin; i < end; ++i) ranks[order[i]] = rank;
    begin = end;
  }
  return ranks;
}

}  // namespace

Metrics classification_metrics(std::span<const std::int64_t> gold, std::span<const std::int64_t> predicted,
                               std::int64_t num_classes, std::optional<std::int64_t> positive) {
  if (gold.size() != predicted.size()) throw std::logic_error("classification_metrics: sizes differ");
  if (gold.empty()) return {};
  const auto classes = static_cast<std::size_t>(num_classes);
  std::vector<double> true_counts(classes), predicted_counts(classes), true_positives(classes);
  double correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const auto g = static_cast<std::size_t>(gold[i]), p = static_cast<std::size_t>(predicted[i]);
    true_counts[g] += 1;
    predicted_counts[p] += 1;
    if (g == p) {
      true_positives[g] += 1;
      correct += 1;
    }
  }
  double f1_sum = 0;
  int present = 0;
  for (std::size_t k = 0; k < classes; ++k) {
    if (true_counts[k] == 0 && predicted_counts[k] == 0) continue;
    f1_sum += f1(true_positives[k], predicted_counts[k], true_counts[k]);
    ++present;
  }
  const double n = static_cast<double>(gold.size());
  Metrics out{{"accuracy", correct / n}, {"macro_f1", f1_sum / present}};
  if (positive) {
    const auto k = static_cast<std::size_t>(*positive);
    out["f1"] = f1(true_positives[k], predicted_counts[k], true_counts[k]);
    out["mcc"] = mcc(true_counts, predicted_counts, correct, n);
  }
  return out;
}

Metrics regression_metrics(std::span<const double> gold, std::span<const double> predicted) {
  if (gold.size() != predicted.size()) throw std::logic_error("regression_metrics: sizes differ");
  if (gold.empty()) return {};
  double squared_error = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) squared_error += (gold[i] - predicted[i]) * (gold[i] - predicted[i]);
  const auto gold_ranks = average_ranks(gold), predicted_ranks = average_ranks(predicted);
  return {{"pearson", pearson(gold, predicted)},
          {"spearman", pearson(gold_ranks, predicted_ranks)},
          {"mse", squared_error / static_cast<double>(gold.size())}};
}

}  // namespace bertlab::heads
