// The `gp` searcher: loaded through the plugin host as bertlab loads it, and
// its GP math (plugins/searchers/gp/, compiled into this suite) checked directly.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "acquisition_optimizer.hpp"
#include "bertlab/searcher.hpp"
#include "gaussian_process.hpp"
#include "builtin_plugins.hpp"
#include "plugin/plugin_host.hpp"
#include "search_objectives.hpp"
#include "search_space_encoding.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

namespace bench = bertlab::bench;
namespace gp = bertlab::gp;
using bertlab::Distribution;
using bertlab::StudyView;
using bertlab::Table;
using bertlab::TrialState;
using bertlab::TrialView;
using bertlab::test::searcher;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

const auto kFloat64 = torch::TensorOptions().dtype(torch::kFloat64);

// `n` uniformly random points of [0, 1]^dims, as a tensor.
torch::Tensor random_points(std::int64_t n, std::int64_t dims, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto X = torch::empty({n, dims}, kFloat64);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t d = 0; d < dims; ++d) X[i][d] = gp::unit_draw(rng);
  return X;
}

torch::Tensor standardised(const torch::Tensor& y) { return (y - y.mean()) / y.std(/*unbiased=*/false); }

// Branin on the unit square, the GP's coordinates.
torch::Tensor branin_values(const torch::Tensor& X) {
  std::vector<double> y;
  for (std::int64_t i = 0; i < X.size(0); ++i)
    y.push_back(bench::branin(-5 + 15 * X[i][0].item<double>(), 15 * X[i][1].item<double>()));
  return torch::tensor(y, kFloat64);
}

// `n` complete trials of `objective` drawn by the random searcher with `seed`.
std::vector<TrialView> random_trials(const bench::Objective& objective, std::uint64_t seed, std::int64_t n) {
  auto random = searcher("random");
  std::vector<TrialView> trials;
  bench::run_search(*random, objective, seed, n, {}, &trials);
  return trials;
}

double distance(const Table& a, const Table& b, const std::vector<std::string>& names) {
  double sum = 0;
  for (const auto& name : names) sum += std::pow(bench::number(a, name) - bench::number(b, name), 2);
  return std::sqrt(sum);
}

}  // namespace

TEST_CASE("gp: on Branin, beats random's median best after 25 trials over seeds 0..4") {
  auto gp_searcher = searcher("gp");
  auto random = searcher("random");
  const auto objective = bench::branin_objective();
  std::vector<double> gp_best, random_best;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    gp_best.push_back(bench::run_search(*gp_searcher, objective, seed, 25).back());
    random_best.push_back(bench::run_search(*random, objective, seed, 25).back());
  }
  MESSAGE("median best after 25: gp " << median(gp_best) << ", random " << median(random_best));
  CHECK(median(gp_best) < median(random_best));
}

TEST_CASE("gp: with a deterministic objective the fitted GP interpolates its observations") {
  const auto X = random_points(20, 2, 11);
  const auto y = standardised(branin_values(X));
  const auto is_categorical = torch::zeros({2}, torch::kBool);
  gp::FitOptions fit;
  fit.deterministic_objective = true;
  const auto params = gp::fit_kernel_params(X, y, is_categorical, fit);
  CHECK(params.noise_var.item<double>() == doctest::Approx(gp::kMinimumNoise));
  const gp::GaussianProcess model(params, is_categorical, X, y);
  torch::NoGradGuard no_grad;
  const auto [mean, var] = model.posterior(X);
  const double error = (mean - y).abs().max().item<double>();
  MESSAGE("largest |mean - y| at the training points: " << error << ", largest variance " << var.max().item<double>());
  CHECK(error < 1e-3);
  CHECK(var.max().item<double>() < 1e-3);
  // Away from the data the GP is uncertain again.
  const auto far = model.posterior(random_points(200, 2, 12)).second;
  CHECK(far.max().item<double>() > 10 * var.max().item<double>());
}

TEST_CASE("gp: log EI equals log(EI) where EI is not tiny and stays finite where EI underflows") {
  const double best = 0.3, sigma = 0.7;
  for (double z : {-8.0, -3.0, -1.0, 0.0, 0.5, 2.0, 5.0}) {
    // EI = sigma * (z Phi(z) + phi(z)) for the improvement of N(mean, sigma^2) below best, z = (best - mean) / sigma.
    const double mean = best - z * sigma;
    const double ei = sigma * (z * 0.5 * std::erfc(-z / std::sqrt(2.0)) + std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi));
    const double value =
        gp::log_ei(torch::tensor({mean}, kFloat64), torch::tensor({sigma * sigma}, kFloat64), best).item<double>();
    CHECK(value == doctest::Approx(std::log(ei)).epsilon(1e-10));
  }
  // z = -40: EI ~ 1e-350 underflows a double; its log is still finite and
  // follows the asymptote log phi(z) - 2 log|z| + log(1 - 3/z^2 + ...).
  auto z = torch::tensor({-40.0, -25.0 - 1e-9, -25.0 + 1e-9}, kFloat64).requires_grad_(true);
  const auto values = gp::standard_log_ei(z);
  const double at_40 = values[0].item<double>();
  const double asymptote = -800.0 - 0.5 * std::log(2 * std::numbers::pi) - 2 * std::log(40.0) + std::log(1 - 3.0 / 1600);
  CHECK(std::isfinite(at_40));
  CHECK(at_40 == doctest::Approx(asymptote).epsilon(1e-6));
  CHECK(values[1].item<double>() == doctest::Approx(values[2].item<double>()).epsilon(1e-8));  // continuous at the switch
  values.sum().backward();
  CHECK(torch::isfinite(z.grad()).all().item<bool>());
  CHECK(z.grad()[0].item<double>() == doctest::Approx(40.0).epsilon(1e-2));  // d/dz log EI ~ -z for z << 0
}

TEST_CASE("gp: the marginal-likelihood fit improves its objective from the default kernel parameters") {
  const auto X = random_points(25, 2, 21);
  const auto y = standardised(branin_values(X));
  const auto is_categorical = torch::zeros({2}, torch::kBool);
  const auto fitted = gp::fit_kernel_params(X, y, is_categorical);
  torch::NoGradGuard no_grad;
  const double at_defaults = gp::fit_loss(gp::KernelParams::defaults(2), is_categorical, X, y).item<double>();
  const double at_fit = gp::fit_loss(fitted, is_categorical, X, y).item<double>();
  MESSAGE("-(log likelihood + log prior): defaults " << at_defaults << ", fitted " << at_fit);
  CHECK(at_fit < at_defaults - 1.0);
  CHECK(fitted.noise_var.item<double>() >= gp::kMinimumNoise);
}

TEST_CASE("gp: every parameter kind stays inside its distribution, ints as integers") {
  bench::Objective objective;
  objective.name = "mixed";
  auto& space = objective.space.params;
  space.emplace_back("lr", bench::log_uniform_dist(1e-5, 1e-3));
  space.emplace_back("warmup", bench::uniform_dist(0.0, 0.2));
  space.back().second.step = 0.05;
  space.emplace_back("dropout", bench::uniform_dist(0.0, 0.5));
  Distribution epochs = bench::uniform_dist(1, 5);
  epochs.kind = Distribution::Kind::int_uniform;
  epochs.step = 1;
  space.emplace_back("epochs", epochs);
  Distribution layers = bench::uniform_dist(2, 12);
  layers.kind = Distribution::Kind::int_uniform;
  layers.step = 2;
  space.emplace_back("layers", layers);
  Distribution hidden = bench::uniform_dist(16, 1024);
  hidden.kind = Distribution::Kind::int_uniform;
  hidden.log = true;
  space.emplace_back("hidden", hidden);
  space.emplace_back("choice", bench::choice_dist({16, 0.5, "cosine", true}));
  Distribution cycles = bench::uniform_dist(0.5, 2.0);
  cycles.parent = "choice";
  cycles.parent_values = {"cosine"};
  space.emplace_back("cycles", cycles);
  objective.evaluate = [](const Table& p, std::uint64_t) {
    double value = std::pow(std::log10(bench::number(p, "lr")) + 4, 2) + bench::number(p, "warmup") +
                   std::abs(bench::number(p, "dropout") - 0.1) + std::abs(bench::number(p, "epochs") - 3) +
                   bench::number(p, "layers") / 12 + std::abs(std::log2(bench::number(p, "hidden")) - 8);
    if (p.at("choice") == bertlab::Value("cosine")) value -= 0.5;
    return value;
  };
  auto gp_searcher = searcher("gp", {{"n_startup_trials", 4}, {"n_candidates", 256}});
  std::vector<TrialView> trials;
  bench::run_search(*gp_searcher, objective, 5, 14, {}, &trials);
  REQUIRE(trials.size() == 14);
  for (const auto& trial : trials) {
    CAPTURE(trial.number);
    const auto& p = trial.params;
    CHECK(p.at("lr").is_real());
    CHECK(bench::number(p, "lr") >= 1e-5);
    CHECK(bench::number(p, "lr") <= 1e-3);
    const double warmup = bench::number(p, "warmup");
    CHECK(warmup >= 0);
    CHECK(warmup <= 0.2 + 1e-12);
    CHECK(std::abs(warmup / 0.05 - std::round(warmup / 0.05)) < 1e-9);
    CHECK(bench::number(p, "dropout") >= 0);
    CHECK(bench::number(p, "dropout") <= 0.5);
    REQUIRE(p.at("epochs").is_int());
    CHECK(p.at("epochs").as_int() >= 1);
    CHECK(p.at("epochs").as_int() <= 5);
    REQUIRE(p.at("layers").is_int());
    CHECK(p.at("layers").as_int() % 2 == 0);
    CHECK(p.at("layers").as_int() >= 2);
    CHECK(p.at("layers").as_int() <= 12);
    REQUIRE(p.at("hidden").is_int());
    CHECK(p.at("hidden").as_int() >= 16);
    CHECK(p.at("hidden").as_int() <= 1024);
    const auto& choices = objective.space.find("choice")->choices;
    CHECK(std::find(choices.begin(), choices.end(), p.at("choice")) != choices.end());
    CHECK(p.at("choice").type() == std::find(choices.begin(), choices.end(), p.at("choice"))->type());
    CHECK(p.contains("cycles") == (p.at("choice") == bertlab::Value("cosine")));
    if (p.contains("cycles")) {
      CHECK(bench::number(p, "cycles") >= 0.5);
      CHECK(bench::number(p, "cycles") <= 2.0);
    }
  }
}

TEST_CASE("gp: a pure function of the study, its seed and the trial number") {
  const auto objective = bench::hartmann6_objective();
  auto first = searcher("gp", {{"n_startup_trials", 8}, {"n_candidates", 512}});
  auto second = searcher("gp", {{"n_startup_trials", 8}, {"n_candidates", 512}});
  auto other_seed = searcher("gp", {{"n_startup_trials", 8}, {"n_candidates", 512}, {"seed", 1}});
  std::vector<TrialView> a, b, c;
  bench::run_search(*first, objective, 3, 12, {}, &a);
  bench::run_search(*second, objective, 3, 12, {}, &b);
  bench::run_search(*other_seed, objective, 3, 12, {}, &c);
  REQUIRE(a.size() == 12);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK((a[i].params == b[i].params));
  CHECK((a[0].params != c[0].params));
  CHECK((a[11].params != c[11].params));
  // The startup trials are the random searcher's draws for the same seeds.
  std::vector<TrialView> random;
  auto random_searcher = searcher("random");
  bench::run_search(*random_searcher, objective, 3, 8, {}, &random);
  for (std::size_t i = 0; i < 8; ++i) CHECK((a[i].params == random[i].params));
  StudyView random_study;
  random_study.seed = 3;
  random_study.space = &objective.space;
  CHECK((a[8].params != random_searcher->ask(random_study, 8).value()));
}

TEST_CASE("gp: running trials change the next proposal (constant liar and kriging believer)") {
  const auto objective = bench::branin_objective();
  StudyView study;
  study.direction = bertlab::Direction::minimize;
  study.seed = 4;
  study.space = &objective.space;
  study.trials = random_trials(objective, 4, 12);
  const std::vector<std::string> names{"x1", "x2"};
  for (const std::string strategy : {"constant_liar", "kriging_believer"}) {
    CAPTURE(strategy);
    auto gp_searcher = searcher("gp", {{"pending", strategy}, {"n_candidates", 512}});
    const Table proposal = gp_searcher->ask(study, 12).value();
    const Table without_pending = gp_searcher->ask(study, 13).value();
    StudyView busy = study;
    TrialView running;
    running.number = 12;
    running.state = TrialState::running;
    running.params = proposal;
    busy.trials.push_back(running);
    const Table with_pending = gp_searcher->ask(busy, 13).value();
    MESSAGE(strategy << ": distance to the running trial's point without it " << distance(without_pending, proposal, names)
                     << ", with it " << distance(with_pending, proposal, names));
    CHECK((with_pending != without_pending));
    CHECK(distance(with_pending, proposal, names) > distance(without_pending, proposal, names));
  }
}

TEST_CASE("gp: warm-start history counts as observations, history lacking a parameter is skipped") {
  const auto objective = bench::branin_objective();
  auto gp_searcher = searcher("gp");
  auto random = searcher("random");
  StudyView study;
  study.direction = bertlab::Direction::minimize;
  study.seed = 8;
  study.space = &objective.space;
  const Table random_first = random->ask(study, 0).value();
  CHECK((gp_searcher->ask(study, 0).value() == random_first));  // startup: no observations yet

  study.history = random_trials(objective, 77, 12);  // an earlier study's trials
  std::vector<double> history_values;
  for (const auto& t : study.history) history_values.push_back(*t.value);
  const Table guided = gp_searcher->ask(study, 0).value();
  CHECK((guided != random_first));
  const double value = objective.evaluate(guided, 0);
  MESSAGE("first ask with 12 history trials: " << value << " (history median " << median(history_values) << ", best "
                                               << *std::min_element(history_values.begin(), history_values.end()) << ")");
  CHECK(value < median(history_values));

  // Nine usable history trials and one without x2: still startup (ten needed).
  study.history.resize(10);
  study.history.back().params.erase("x2");
  CHECK((gp_searcher->ask(study, 0).value() == random_first));
}

TEST_CASE("gp: PRUNED trials with a value are observations, FAILED trials are not") {
  const auto objective = bench::branin_objective();
  auto gp_searcher = searcher("gp", {{"n_candidates", 256}});
  auto random = searcher("random");
  StudyView study;
  study.direction = bertlab::Direction::maximize;  // values are negated internally; any direction works
  study.seed = 9;
  study.space = &objective.space;
  study.trials = random_trials(objective, 9, 10);
  const Table random_next = random->ask(study, 10).value();

  study.trials.back().state = TrialState::failed;
  study.trials.back().value.reset();
  CHECK((gp_searcher->ask(study, 10).value() == random_next));  // nine observations: startup

  study.trials.back().state = TrialState::pruned;
  study.trials.back().value = 20.0;
  CHECK((gp_searcher->ask(study, 10).value() != random_next));  // ten: the GP proposes
}

TEST_CASE("gp: options are checked when the searcher is made") {
  CHECK_NOTHROW(searcher("gp", {{"n_startup_trials", 5}, {"deterministic_objective", true}, {"n_candidates", 64},
                                {"pending", "kriging_believer"}, {"seed", 3}}));
  CHECK_THROWS_WITH_AS(searcher("gp", {{"pending", "optimist"}}), doctest::Contains("pending"),
                       bertlab::plugin::PluginError);
  CHECK_THROWS_WITH_AS(searcher("gp", {{"n_candidates", 0}}), doctest::Contains("n_candidates"),
                       bertlab::plugin::PluginError);
  CHECK_THROWS_WITH_AS(searcher("gp", {{"n_startup", 3}}), doctest::Contains("n_startup"),
                       bertlab::plugin::PluginError);
}
