#include "search_space_encoding.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bertlab::gp {
namespace {

// Beyond this many values an int range is modelled as continuous and only
// rounded on output: a grid that long would make the discrete search slow
// and buys nothing over rounding.
constexpr std::int64_t kMaxGridSize = 10000;

std::int64_t int_step(const Distribution& d) { return std::max<std::int64_t>(1, static_cast<std::int64_t>(d.step)); }
std::int64_t int_count(const Distribution& d) {
  return (static_cast<std::int64_t>(d.high) - static_cast<std::int64_t>(d.low)) / int_step(d) + 1;
}
std::int64_t step_count(const Distribution& d) {
  return static_cast<std::int64_t>(std::floor((d.high - d.low) / d.step + 1e-9)) + 1;
}

double scale(const Dimension& dim, double value) {
  const double v = dim.log_scale ? std::log(value) : value;
  if (dim.scaled_high == dim.scaled_low) return 0.5;
  return (v - dim.scaled_low) / (dim.scaled_high - dim.scaled_low);
}
double unscale(const Dimension& dim, double x) {
  const double v = dim.scaled_low + x * (dim.scaled_high - dim.scaled_low);
  return dim.log_scale ? std::exp(v) : v;
}

Dimension make_dimension(const std::string& name, const Distribution& d) {
  auto fail = [&](const std::string& why) { return std::invalid_argument("parameter '" + name + "': " + why); };
  Dimension dim;
  dim.name = name;
  dim.distribution = &d;
  if (d.kind == Distribution::Kind::categorical) {
    if (d.choices.empty()) throw fail("no choices");
    dim.categorical = true;
    for (std::size_t i = 0; i < d.choices.size(); ++i) dim.grid.push_back(static_cast<double>(i));
    dim.scaled_low = 0;
    dim.scaled_high = static_cast<double>(d.choices.size());
    return dim;
  }
  if (!(d.high >= d.low)) throw fail("high is below low");
  switch (d.kind) {
    case Distribution::Kind::uniform:
      if (d.step > 0) {  // discrete: widen by half a step (Optuna's normalize_one_param)
        dim.scaled_low = d.low - 0.5 * d.step;
        dim.scaled_high = d.high + 0.5 * d.step;
      } else {
        dim.scaled_low = d.low;
        dim.scaled_high = d.high;
      }
      break;
    case Distribution::Kind::log_uniform:
      if (!(d.low > 0)) throw fail("log_uniform needs low > 0");
      dim.log_scale = true;
      dim.scaled_low = std::log(d.low);
      dim.scaled_high = std::log(d.high);
      break;
    case Distribution::Kind::int_uniform:
      if (d.log) {
        if (d.low < 1) throw fail("a log int range needs low >= 1");
        // Half a unit (not half a step) keeps the widened range positive; the random searcher does the same.
        dim.log_scale = true;
        dim.scaled_low = std::log(d.low - 0.5);
        dim.scaled_high = std::log(d.high + 0.5);
      } else {
        dim.scaled_low = d.low - 0.5 * static_cast<double>(int_step(d));
        dim.scaled_high = d.high + 0.5 * static_cast<double>(int_step(d));
      }
      break;
    case Distribution::Kind::categorical: break;
  }
  if (d.kind == Distribution::Kind::int_uniform && int_count(d) <= kMaxGridSize) {
    for (std::int64_t k = 0; k < int_count(d); ++k)
      dim.grid.push_back(scale(dim, d.low + static_cast<double>(k * int_step(d))));
  } else if (d.kind == Distribution::Kind::uniform && d.step > 0 && step_count(d) <= kMaxGridSize) {
    for (std::int64_t k = 0; k < step_count(d); ++k) dim.grid.push_back(scale(dim, d.low + static_cast<double>(k) * d.step));
  }
  return dim;
}

}  // namespace

SearchSpaceEncoding::SearchSpaceEncoding(const SearchSpace& space) {
  for (const auto& [name, distribution] : space.params)
    if (!distribution.parent) dimensions_.push_back(make_dimension(name, distribution));
}

std::optional<std::vector<double>> SearchSpaceEncoding::encode(const Table& params) const {
  std::vector<double> point;
  point.reserve(dimensions_.size());
  for (const auto& dim : dimensions_) {
    auto it = params.find(dim.name);
    if (it == params.end()) return std::nullopt;
    const Value& value = it->second;
    if (dim.categorical) {
      const auto& choices = dim.distribution->choices;
      auto found = std::find(choices.begin(), choices.end(), value);
      if (found == choices.end()) return std::nullopt;
      point.push_back(static_cast<double>(found - choices.begin()));
      continue;
    }
    if (!value.is_number()) return std::nullopt;
    const double v = value.as_double();
    if (dim.log_scale && !(v > 0)) return std::nullopt;
    point.push_back(scale(dim, v));
  }
  return point;
}

Table SearchSpaceEncoding::decode(const std::vector<double>& point) const {
  Table params;
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const Dimension& dim = dimensions_[i];
    const Distribution& d = *dim.distribution;
    if (dim.categorical) {
      const auto last = static_cast<std::int64_t>(d.choices.size()) - 1;
      params.emplace(dim.name, d.choices[static_cast<std::size_t>(std::clamp<std::int64_t>(std::llround(point[i]), 0, last))]);
      continue;
    }
    const double v = std::clamp(unscale(dim, point[i]), d.low, d.high);
    if (d.kind == Distribution::Kind::int_uniform) {
      const std::int64_t low = static_cast<std::int64_t>(d.low), step = int_step(d);
      const std::int64_t k = std::clamp<std::int64_t>(std::llround((v - d.low) / static_cast<double>(step)), 0,
                                                      int_count(d) - 1);
      params.emplace(dim.name, low + k * step);
    } else if (d.step > 0) {
      const double k = std::clamp(std::round((v - d.low) / d.step), 0.0, static_cast<double>(step_count(d) - 1));
      params.emplace(dim.name, std::min(d.high, d.low + k * d.step));
    } else {
      params.emplace(dim.name, v);
    }
  }
  return params;
}

std::vector<double> SearchSpaceEncoding::random_point(std::mt19937_64& rng) const {
  std::vector<double> point(dimensions_.size());
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const double u = unit_draw(rng);
    const Dimension& dim = dimensions_[i];
    if (dim.categorical)
      point[i] = std::min(std::floor(u * static_cast<double>(dim.grid.size())), static_cast<double>(dim.grid.size() - 1));
    else
      point[i] = snap(i, u);
  }
  return point;
}

double SearchSpaceEncoding::snap(std::size_t d, double value) const {
  const auto& grid = dimensions_[d].grid;
  if (grid.empty()) return value;
  auto upper = std::lower_bound(grid.begin(), grid.end(), value);
  if (upper == grid.begin()) return grid.front();
  if (upper == grid.end()) return grid.back();
  return (value - *(upper - 1) <= *upper - value) ? *(upper - 1) : *upper;
}

double unit_draw(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

namespace {
std::int64_t below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // rejection keeps the draw uniform
  std::uint64_t x;
  do x = rng(); while (x >= limit);
  return static_cast<std::int64_t>(x % n);
}
}  // namespace

Value draw_random(const std::string& name, const Distribution& d, std::mt19937_64& rng) {
  switch (d.kind) {
    case Distribution::Kind::uniform: {
      double x = d.low + unit_draw(rng) * (d.high - d.low);
      if (d.step > 0) x = std::min(d.high, d.low + std::round((x - d.low) / d.step) * d.step);
      return x;
    }
    case Distribution::Kind::log_uniform: {
      if (!(d.low > 0)) throw std::invalid_argument("parameter '" + name + "': log_uniform needs low > 0");
      return std::exp(std::log(d.low) + unit_draw(rng) * (std::log(d.high) - std::log(d.low)));
    }
    case Distribution::Kind::int_uniform: {
      const auto low = static_cast<std::int64_t>(d.low);
      const std::int64_t step = int_step(d), count = int_count(d);
      if (d.log) {
        if (low < 1) throw std::invalid_argument("parameter '" + name + "': a log int range needs low >= 1");
        const double x = std::exp(std::log(low - 0.5) + unit_draw(rng) * (std::log(d.high + 0.5) - std::log(low - 0.5)));
        return low + std::clamp<std::int64_t>(std::llround((x - low) / step), 0, count - 1) * step;
      }
      return low + below(rng, static_cast<std::uint64_t>(count)) * step;
    }
    case Distribution::Kind::categorical:
      if (d.choices.empty()) throw std::invalid_argument("parameter '" + name + "': no choices");
      return d.choices[static_cast<std::size_t>(below(rng, d.choices.size()))];
  }
  throw std::logic_error("unknown distribution kind");
}

}  // namespace bertlab::gp
