// Random search (Bergstra & Bengio 2012): each trial's parameters are drawn
// independently from the space. Trial n's draw depends only on the study seed
// and n, so a study is reproducible and any number of workers can ask at once.
#include <bertlab/searcher.hpp>

#include <cmath>
#include <random>
#include <stdexcept>

namespace {

using bertlab::Distribution;

// SplitMix64 finalizer: decorrelates seeds that differ in few bits (trial 0, 1, 2, ...).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// std::mt19937_64's output is fixed by the standard; the distributions in
// <random> are not, so the transforms below are written out to keep draws
// identical across standard libraries.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::int64_t below(std::mt19937_64& rng, std::uint64_t n) {
  // Rejection keeps the draw uniform when n does not divide 2^64.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do x = rng(); while (x >= limit);
  return static_cast<std::int64_t>(x % n);
}

bertlab::Value draw(const std::string& name, const Distribution& d, std::mt19937_64& rng) {
  switch (d.kind) {
    case Distribution::Kind::uniform: {
      double x = d.low + unit(rng) * (d.high - d.low);
      if (d.step > 0) x = std::min(d.high, d.low + std::round((x - d.low) / d.step) * d.step);
      return x;
    }
    case Distribution::Kind::log_uniform: {
      if (!(d.low > 0)) throw std::invalid_argument("parameter '" + name + "': log_uniform needs low > 0");
      return std::exp(std::log(d.low) + unit(rng) * (std::log(d.high) - std::log(d.low)));
    }
    case Distribution::Kind::int_uniform: {
      const auto low = static_cast<std::int64_t>(d.low), high = static_cast<std::int64_t>(d.high);
      const auto step = std::max<std::int64_t>(1, static_cast<std::int64_t>(d.step));
      const std::int64_t count = (high - low) / step + 1;
      if (d.log) {
        if (low < 1) throw std::invalid_argument("parameter '" + name + "': a log int range needs low >= 1");
        double x = std::exp(std::log(low - 0.5) + unit(rng) * (std::log(high + 0.5) - std::log(low - 0.5)));
        auto k = std::clamp<std::int64_t>(std::llround((x - low) / step), 0, count - 1);
        return low + k * step;
      }
      return low + below(rng, static_cast<std::uint64_t>(count)) * step;
    }
    case Distribution::Kind::categorical:
      if (d.choices.empty()) throw std::invalid_argument("parameter '" + name + "': no choices");
      return d.choices[static_cast<std::size_t>(below(rng, d.choices.size()))];
  }
  throw std::logic_error("unknown distribution kind");
}

class RandomSearcher final : public bertlab::Searcher {
 public:
  explicit RandomSearcher(const bertlab::Options& options) : seed_offset_(options.get_int("seed", 0)) {
    options.reject_unknown({"seed"});
  }

  std::optional<bertlab::Table> ask(const bertlab::StudyView& study, std::int64_t trial_number) override {
    if (study.space == nullptr) throw std::invalid_argument("random search needs a search space");
    std::mt19937_64 rng(mix(study.seed ^ mix(static_cast<std::uint64_t>(seed_offset_)) ^
                            mix(static_cast<std::uint64_t>(trial_number) + 1)));
    bertlab::Table params;
    for (const auto& [name, distribution] : study.space->params)
      if (study.space->active(distribution, params)) params.emplace(name, draw(name, distribution, rng));
    return params;
  }

 private:
  std::int64_t seed_offset_;  // lets two studies with one seed draw differently
};

}  // namespace

BERTLAB_PLUGIN(RandomSearcher, "random", "1.0.0",
               "Random search: independent seeded draws from the space (reproducible per study seed)")
