#include "dimension.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "seeded_rng.hpp"

namespace bertlab::tpe {

namespace {

std::invalid_argument bad(const std::string& name, const std::string& why) {
  return std::invalid_argument("parameter '" + name + "': " + why);
}

}  // namespace

Dimension::Dimension(std::string name, const Distribution& distribution)
    : name_(std::move(name)), distribution_(distribution) {
  const Distribution& d = distribution_;
  if (d.kind == Distribution::Kind::categorical) {
    if (d.choices.empty()) throw bad(name_, "no choices");
    return;
  }
  if (!(d.low <= d.high)) throw bad(name_, "low must not exceed high");
  switch (d.kind) {
    case Distribution::Kind::uniform:
      if (d.step > 0) {
        step_ = d.step;
        // The last grid point at or below high (a hair of tolerance for ranges
        // like [0, 0.3] in steps of 0.1 whose quotient is 2.9999999999999996).
        last_index_ = static_cast<std::int64_t>(std::floor((d.high - d.low) / d.step + 1e-9));
      }
      break;
    case Distribution::Kind::log_uniform:
      if (!(d.low > 0)) throw bad(name_, "log_uniform needs low > 0");
      log_ = true;
      break;
    case Distribution::Kind::int_uniform: {
      const auto low = static_cast<std::int64_t>(d.low), high = static_cast<std::int64_t>(d.high);
      const auto step = std::max<std::int64_t>(1, static_cast<std::int64_t>(d.step));
      step_ = static_cast<double>(step);
      last_index_ = (high - low) / step;
      if (d.log) {
        if (low < 1) throw bad(name_, "a log int range needs low >= 1");
        log_ = true;
      }
      break;
    }
    case Distribution::Kind::categorical: break;
  }
  if (quantized()) {
    const double first = d.low, last = d.low + static_cast<double>(last_index_) * step_;
    // A log range's first bin cannot reach 0: with low = 1 and step 4 it
    // starts at 0.5 (Optuna's step-1 log ints start at low - 0.5 too).
    const double below = log_ ? 0.5 * std::min(step_, first) : 0.5 * step_;
    low_ = to_internal(first - below);
    high_ = to_internal(last + 0.5 * step_);
  } else {
    low_ = to_internal(d.low);
    high_ = to_internal(d.high);
  }
}

bool Dimension::fixed() const {
  if (categorical()) return distribution_.choices.size() == 1;
  return quantized() ? last_index_ == 0 : distribution_.low == distribution_.high;
}

std::int64_t Dimension::grid_index(double original) const {
  const double k = std::round((original - distribution_.low) / step_);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(k), 0, last_index_);
}

std::optional<double> Dimension::encode(const Value& value) const {
  if (categorical()) {
    for (std::size_t i = 0; i < distribution_.choices.size(); ++i)
      if (distribution_.choices[i] == value) return static_cast<double>(i);
    return std::nullopt;
  }
  if (!value.is_number()) return std::nullopt;
  const double x = value.as_double();
  // Tolerance: a stored double may have gone through JSON and back.
  const double slack = 1e-9 * std::max(1.0, distribution_.high - distribution_.low);
  if (!(x >= distribution_.low - slack && x <= distribution_.high + slack)) return std::nullopt;
  if (quantized())
    return to_internal(distribution_.low + static_cast<double>(grid_index(x)) * step_);
  return to_internal(std::clamp(x, distribution_.low, distribution_.high));
}

double Dimension::snap(double internal) const {
  if (!quantized()) return internal;
  return to_internal(distribution_.low + static_cast<double>(grid_index(to_original(internal))) * step_);
}

std::pair<double, double> Dimension::bin(double internal) const {
  const std::int64_t k = grid_index(to_original(internal));
  const double v = distribution_.low + static_cast<double>(k) * step_;
  return {k == 0 ? low_ : to_internal(v - 0.5 * step_), k == last_index_ ? high_ : to_internal(v + 0.5 * step_)};
}

Value Dimension::decode(double internal) const {
  const Distribution& d = distribution_;
  switch (d.kind) {
    case Distribution::Kind::categorical: {
      const auto i = std::clamp<std::int64_t>(std::llround(internal), 0,
                                              static_cast<std::int64_t>(d.choices.size()) - 1);
      return d.choices[static_cast<std::size_t>(i)];
    }
    case Distribution::Kind::int_uniform:
      return static_cast<std::int64_t>(d.low) + grid_index(to_original(internal)) * static_cast<std::int64_t>(step_);
    case Distribution::Kind::uniform:
      if (quantized())
        return std::min(d.high, d.low + static_cast<double>(grid_index(internal)) * step_);
      return std::clamp(internal, d.low, d.high);
    case Distribution::Kind::log_uniform: return std::clamp(std::exp(internal), d.low, d.high);
  }
  throw std::logic_error("unknown distribution kind");
}

double Dimension::draw_uniform(std::mt19937_64& rng) const {
  if (categorical()) {
    const double n = static_cast<double>(distribution_.choices.size());
    return std::min(std::floor(unit(rng) * n), n - 1);
  }
  if (quantized() && !log_)  // each grid point once, ends included
    return snap(distribution_.low + std::floor(unit(rng) * static_cast<double>(last_index_ + 1)) * step_);
  return snap(low_ + unit(rng) * (high_ - low_));
}

}  // namespace bertlab::tpe
