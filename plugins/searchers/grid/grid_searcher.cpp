// Grid search: every combination of the declared values, in order (the last
// parameter varies fastest), each tried once. Which points are taken is read
// from the study's trials, in every state, so workers sharing a store split
// the grid between them and a restarted study resumes where it stopped.
#include <bertlab/searcher.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace {

using bertlab::Distribution;
using bertlab::Table;
using bertlab::Value;

constexpr std::size_t kMaxGridPoints = 1'000'000;

class GridSearcher final : public bertlab::Searcher {
 public:
  explicit GridSearcher(const bertlab::Options& options)
      : default_steps_(options.get_int_in("steps", 0, 0, 100'000)), shuffle_(options.get_bool("shuffle", false)) {
    options.reject_unknown({"steps", "shuffle"});
  }

  std::optional<std::int64_t> capacity(const bertlab::SearchSpace& space) const override {
    return static_cast<std::int64_t>(grid(space).size());
  }

  std::optional<Table> ask(const bertlab::StudyView& study, std::int64_t trial_number) override {
    if (study.space == nullptr) throw std::invalid_argument("grid search needs a search space");
    std::vector<Table> points = grid(*study.space);
    if (shuffle_) {
      // A fixed permutation per study seed: std::shuffle's algorithm is not
      // specified, so Fisher-Yates is written out.
      std::mt19937_64 rng(study.seed);
      for (std::size_t i = points.size(); i > 1; --i) std::swap(points[i - 1], points[rng() % i]);
    }
    for (const auto& point : points) {
      bool taken = std::any_of(study.trials.begin(), study.trials.end(),
                               [&](const bertlab::TrialView& trial) { return trial.params == point; });
      if (!taken) return point;
    }
    return std::nullopt;
  }

 private:
  std::vector<Value> values(const std::string& name, const Distribution& d) const {
    std::vector<Value> out;
    switch (d.kind) {
      case Distribution::Kind::categorical:
        out.assign(d.choices.begin(), d.choices.end());
        break;
      case Distribution::Kind::int_uniform: {
        const auto low = static_cast<std::int64_t>(d.low), high = static_cast<std::int64_t>(d.high);
        const auto step = std::max<std::int64_t>(1, static_cast<std::int64_t>(d.step));
        if (d.grid_steps > 0 || d.log) {
          for (double x : continuous(name, d)) {
            Value v = std::clamp<std::int64_t>(low + std::llround((x - low) / step) * step, low, high);
            if (out.empty() || !(out.back() == v)) out.push_back(v);
          }
        } else {
          if (static_cast<std::size_t>((high - low) / step) >= kMaxGridPoints) throw too_large(name);
          for (std::int64_t v = low; v <= high; v += step) out.emplace_back(v);
        }
        break;
      }
      case Distribution::Kind::uniform:
        if (d.step > 0 && d.grid_steps == 0) {
          const auto count = static_cast<std::size_t>(std::floor((d.high - d.low) / d.step + 1e-9)) + 1;
          if (count > kMaxGridPoints) throw too_large(name);
          for (std::size_t i = 0; i < count; ++i) out.emplace_back(d.low + static_cast<double>(i) * d.step);
          break;
        }
        [[fallthrough]];
      case Distribution::Kind::log_uniform:
        for (double x : continuous(name, d)) out.emplace_back(x);
        break;
    }
    if (out.empty()) throw std::invalid_argument("parameter '" + name + "' has no grid values");
    return out;
  }

  // `steps` evenly spaced points from low to high, in log space for log ranges.
  std::vector<double> continuous(const std::string& name, const Distribution& d) const {
    const std::int64_t steps = d.grid_steps > 0 ? d.grid_steps : default_steps_;
    if (steps <= 0)
      throw std::invalid_argument("parameter '" + name +
                                  "': grid search over a continuous range needs `steps` (on the parameter or "
                                  "as the grid searcher's option)");
    const bool log = d.kind == Distribution::Kind::log_uniform || d.log;
    if (log && !(d.low > 0)) throw std::invalid_argument("parameter '" + name + "': log range needs low > 0");
    const double a = log ? std::log(d.low) : d.low, b = log ? std::log(d.high) : d.high;
    std::vector<double> out;
    for (std::int64_t i = 0; i < steps; ++i) {
      double t = steps == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(steps - 1);
      double x = a + t * (b - a);
      out.push_back(log ? std::exp(x) : x);
    }
    if (log) {  // exp(log(x)) need not give back x exactly; the ends are the user's numbers
      out.front() = d.low;
      if (steps > 1) out.back() = d.high;
    }
    return out;
  }

  static std::invalid_argument too_large(const std::string& name) {
    return std::invalid_argument("parameter '" + name + "' has more than " + std::to_string(kMaxGridPoints) +
                                 " grid values");
  }

  // Every combination, depth-first in declaration order. A conditional
  // parameter contributes only where its parent has a matching value.
  std::vector<Table> grid(const bertlab::SearchSpace& space) const {
    std::vector<std::vector<Value>> per_param;
    for (const auto& [name, d] : space.params) per_param.push_back(values(name, d));
    std::vector<Table> points;
    Table current;
    expand(space, per_param, 0, current, points);
    return points;
  }

  void expand(const bertlab::SearchSpace& space, const std::vector<std::vector<Value>>& per_param,
              std::size_t index, Table& current, std::vector<Table>& points) const {
    if (index == space.params.size()) {
      if (points.size() >= kMaxGridPoints) throw std::invalid_argument("the grid has too many points");
      points.push_back(current);
      return;
    }
    const auto& [name, d] = space.params[index];
    if (!space.active(d, current)) {
      expand(space, per_param, index + 1, current, points);
      return;
    }
    for (const auto& v : per_param[index]) {
      current.insert_or_assign(name, v);
      expand(space, per_param, index + 1, current, points);
    }
    current.erase(name);
  }

  std::int64_t default_steps_;
  bool shuffle_;
};

}  // namespace

BERTLAB_PLUGIN(GridSearcher, "grid", "1.0.0",
               "Grid search over declared values; workers sharing a store split the grid")
