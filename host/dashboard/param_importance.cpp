#include "dashboard/param_importance.hpp"

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

namespace bertlab::dashboard {

namespace {

// The COMPLETE trials as a numeric design matrix. Numbers (and booleans)
// are their value; a categorical param's choices are numbered by their
// mean value, which makes the tree's best threshold split on them the best
// partition of the choices (Breiman et al., CART, for regression).
struct Design {
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;  // columns[param][row]
  std::vector<double> target;
};

Design design_of(const std::vector<store::TrialRecord>& trials) {
  std::vector<const store::TrialRecord*> rows;
  for (const auto& trial : trials)
    if (trial.state == TrialState::complete && trial.value && trial.params.is_object()) rows.push_back(&trial);
  Design design;
  if (rows.empty()) return design;
  for (const auto& [name, value] : rows.front()->params.items()) {
    bool everywhere = true;
    for (const auto* row : rows) everywhere = everywhere && row->params.contains(name);
    if (everywhere) design.names.push_back(name);
  }
  for (const auto* row : rows) design.target.push_back(*row->value);
  for (const auto& name : design.names) {
    bool numeric = true;
    for (const auto* row : rows) numeric = numeric && (row->params[name].is_number() || row->params[name].is_boolean());
    std::vector<double> column;
    if (numeric) {
      for (const auto* row : rows) {
        const auto& v = row->params[name];
        column.push_back(v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>());
      }
    } else {
      std::map<std::string, std::pair<double, int>> sums;  // choice -> (sum of values, count)
      for (std::size_t r = 0; r < rows.size(); ++r) {
        auto& [sum, count] = sums[rows[r]->params[name].dump()];
        sum += design.target[r];
        ++count;
      }
      std::vector<std::pair<double, std::string>> by_mean;
      for (const auto& [choice, sc] : sums) by_mean.emplace_back(sc.first / sc.second, choice);
      std::sort(by_mean.begin(), by_mean.end());
      std::map<std::string, double> code;
      for (std::size_t i = 0; i < by_mean.size(); ++i) code[by_mean[i].second] = static_cast<double>(i);
      for (const auto* row : rows) column.push_back(code[row->params[name].dump()]);
    }
    design.columns.push_back(std::move(column));
  }
  return design;
}

// A regression tree grown to purity (CART, squared error), every param a
// candidate at every split, as scikit-learn's forest regressor grows them.
class RegressionTree {
 public:
  RegressionTree(const Design& design, std::vector<std::size_t> rows, int min_samples_split)
      : design_(design), min_samples_split_(min_samples_split) {
    grow(rows);
  }

  double predict(const std::vector<double>& features) const {
    std::size_t node = 0;
    while (nodes_[node].param >= 0)
      node = features[static_cast<std::size_t>(nodes_[node].param)] <= nodes_[node].threshold ? nodes_[node].left
                                                                                             : nodes_[node].right;
    return nodes_[node].value;
  }

 private:
  struct Node {
    int param = -1;  // -1: a leaf
    double threshold = 0.0;
    std::size_t left = 0, right = 0;
    double value = 0.0;
  };

  std::size_t grow(std::vector<std::size_t>& rows) {
    const std::size_t index = nodes_.size();
    nodes_.emplace_back();
    double sum = 0.0;
    for (auto r : rows) sum += design_.target[r];
    nodes_[index].value = sum / static_cast<double>(rows.size());
    if (static_cast<int>(rows.size()) < min_samples_split_) return index;

    // The split with the least squared error: for each param, rows sorted
    // by it, prefix sums give each threshold's error in one pass.
    double best_error = 0.0;
    for (auto r : rows) best_error += (design_.target[r] - nodes_[index].value) * (design_.target[r] - nodes_[index].value);
    const double parent_error = best_error;
    int best_param = -1;
    double best_threshold = 0.0;
    for (std::size_t p = 0; p < design_.columns.size(); ++p) {
      const auto& column = design_.columns[p];
      std::vector<std::size_t> sorted = rows;
      std::sort(sorted.begin(), sorted.end(), [&](auto a, auto b) { return column[a] < column[b]; });
      double left_sum = 0.0, left_squares = 0.0, total_squares = 0.0;
      for (auto r : sorted) total_squares += design_.target[r] * design_.target[r];
      for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
        const double y = design_.target[sorted[i]];
        left_sum += y;
        left_squares += y * y;
        if (column[sorted[i]] == column[sorted[i + 1]]) continue;
        const double n_left = static_cast<double>(i + 1), n_right = static_cast<double>(sorted.size() - i - 1);
        const double right_sum = sum - left_sum, right_squares = total_squares - left_squares;
        const double error = (left_squares - left_sum * left_sum / n_left) + (right_squares - right_sum * right_sum / n_right);
        if (error < best_error - 1e-12 * std::max(1.0, parent_error)) {
          best_error = error;
          best_param = static_cast<int>(p);
          best_threshold = 0.5 * (column[sorted[i]] + column[sorted[i + 1]]);
        }
      }
    }
    if (best_param < 0) return index;
    std::vector<std::size_t> left, right;
    for (auto r : rows) (design_.columns[static_cast<std::size_t>(best_param)][r] <= best_threshold ? left : right).push_back(r);
    nodes_[index].param = best_param;
    nodes_[index].threshold = best_threshold;
    const auto left_index = grow(left);
    const auto right_index = grow(right);
    nodes_[index].left = left_index;
    nodes_[index].right = right_index;
    return index;
  }

  const Design& design_;
  int min_samples_split_;
  std::vector<Node> nodes_;
};

}  // namespace

ImportanceReport param_importances(const std::vector<store::TrialRecord>& trials, const ForestSettings& settings) {
  ImportanceReport report;
  report.method = fmt::format(
      "permutation importance on a random forest ({} regression trees on bootstrap samples; the growth of each "
      "tree's out-of-bag squared error when a param is shuffled, {} shuffles, normalised to sum to 1)",
      settings.trees, settings.repeats);
  const Design design = design_of(trials);
  const std::size_t n = design.target.size();
  report.trials_used = static_cast<std::int64_t>(n);
  if (n < 2 || design.names.empty()) return report;

  std::mt19937_64 rng(settings.seed);
  std::vector<double> growth(design.names.size(), 0.0);
  int trees_scored = 0;
  std::vector<double> features(design.names.size());
  for (int t = 0; t < settings.trees; ++t) {
    std::vector<std::size_t> sample(n);
    std::vector<bool> in_bag(n, false);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    for (auto& r : sample) in_bag[r = pick(rng)] = true;
    std::vector<std::size_t> out_of_bag;
    for (std::size_t r = 0; r < n; ++r)
      if (!in_bag[r]) out_of_bag.push_back(r);
    if (out_of_bag.empty()) continue;
    const RegressionTree tree(design, sample, settings.min_samples_split);

    // Squared error on the out-of-bag rows, with `shuffled` (if any) giving
    // param `p`'s values in permuted order.
    auto error = [&](int p, const std::vector<std::size_t>& shuffled) {
      double total = 0.0;
      for (std::size_t i = 0; i < out_of_bag.size(); ++i) {
        const auto r = out_of_bag[i];
        for (std::size_t q = 0; q < features.size(); ++q) features[q] = design.columns[q][r];
        if (p >= 0) features[static_cast<std::size_t>(p)] = design.columns[static_cast<std::size_t>(p)][shuffled[i]];
        const double residual = tree.predict(features) - design.target[r];
        total += residual * residual;
      }
      return total / static_cast<double>(out_of_bag.size());
    };
    const double base = error(-1, {});
    for (std::size_t p = 0; p < design.names.size(); ++p) {
      for (int k = 0; k < settings.repeats; ++k) {
        auto shuffled = out_of_bag;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        growth[p] += (error(static_cast<int>(p), shuffled) - base) / settings.repeats;
      }
    }
    ++trees_scored;
  }
  double total = 0.0;
  for (auto& g : growth) total += (g = std::max(0.0, g));
  for (std::size_t p = 0; p < design.names.size(); ++p)
    report.params.push_back({design.names[p], total > 0.0 ? growth[p] / total : 0.0});
  std::stable_sort(report.params.begin(), report.params.end(),
                   [](const auto& a, const auto& b) { return a.importance > b.importance; });
  if (trees_scored == 0) report.params.clear();
  return report;
}

}  // namespace bertlab::dashboard
