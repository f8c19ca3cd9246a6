// Drives searcher plugins, loaded by name as bertlab loads them, against the
// synthetic objectives of search_objectives.hpp with run_search (the
// sequential driver the searcher tests use), and prints one JSON line per
// (objective, searcher, seed): the best value after each trial. With
// --warm-start it runs the warm-start experiment instead: task B is the
// fine-tuning-like function with its best log10 learning rate moved from
// -4.3 to -4.0; each searcher runs B cold, and warm-started from 30 trials
// it ran on task A (-4.3), passed as StudyView::history.
// tools/bench/search.py runs it and Optuna in one run and prints the tables.
//
//   bench_search [--searchers random,grid] [--objectives branin,hartmann6,finetune]
//                [--seeds FIRST:END] [--trials N] [--warm-start] [--plugin-dir DIR]
#include <chrono>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/plugin_host.hpp"
#include "search_objectives.hpp"

namespace {

using bertlab::bench::Objective;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

Objective objective_named(const std::string& name) {
  if (name == "branin") return bertlab::bench::branin_objective();
  if (name == "hartmann6") return bertlab::bench::hartmann6_objective();
  if (name == "finetune") return bertlab::bench::finetune_objective();
  throw std::invalid_argument("unknown objective '" + name + "' (branin, hartmann6, finetune)");
}

struct Arguments {
  std::vector<std::string> searchers{"random", "tpe", "gp"};
  std::vector<std::string> objectives{"branin", "hartmann6", "finetune"};
  std::uint64_t first_seed = 0, end_seed = 20;
  std::int64_t trials = 50;
  bool warm_start = false;
  std::string plugin_dir = BERTLAB_PLUGIN_DIR;
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--searchers") a.searchers = split(value());
    else if (flag == "--objectives") a.objectives = split(value());
    else if (flag == "--trials") a.trials = std::stoll(value());
    else if (flag == "--warm-start") a.warm_start = true;
    else if (flag == "--plugin-dir") a.plugin_dir = value();
    else if (flag == "--seeds") {
      const std::string range = value();
      const auto colon = range.find(':');
      if (colon == std::string::npos) throw std::invalid_argument("--seeds takes FIRST:END");
      a.first_seed = std::stoull(range.substr(0, colon));
      a.end_seed = std::stoull(range.substr(colon + 1));
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  return a;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Arguments args = parse(argc, argv);
    bertlab::plugin::PluginHost host;
    host.load_from(args.plugin_dir, /*required=*/true);
    for (const auto& problem : host.problems()) std::cerr << "bench_search: skipped " << problem.message() << '\n';

    for (const auto& name : args.searchers) {
      if (!host.find("searcher", name)) {
        std::cerr << "bench_search: no searcher plugin '" << name << "' in " << args.plugin_dir << ", skipped\n";
        std::cout << nlohmann::json{{"skipped", name}}.dump() << std::endl;
        continue;
      }
      if (!args.warm_start) {
        for (const auto& objective_name : args.objectives) {
          const Objective objective = objective_named(objective_name);
          for (std::uint64_t seed = args.first_seed; seed < args.end_seed; ++seed) {
            auto searcher = host.create<bertlab::Searcher>(name, bertlab::Options({}, "search.searcher.options"));
            const auto start = std::chrono::steady_clock::now();
            const auto best = bertlab::bench::run_search(*searcher, objective, seed, args.trials);
            std::cout << nlohmann::json{{"part", "search"}, {"objective", objective_name}, {"searcher", name},
                                        {"seed", seed}, {"best", best}, {"seconds", seconds_since(start)}}
                             .dump()
                      << std::endl;
          }
        }
        continue;
      }
      // Warm start: 30 trials of task A, then task B with and without them as history.
      const Objective task_a = bertlab::bench::finetune_objective(-4.3);
      const Objective task_b = bertlab::bench::finetune_objective(-4.0);
      for (std::uint64_t seed = args.first_seed; seed < args.end_seed; ++seed) {
        auto searcher = host.create<bertlab::Searcher>(name, bertlab::Options({}, "search.searcher.options"));
        const auto start = std::chrono::steady_clock::now();
        std::vector<bertlab::TrialView> history;
        bertlab::bench::run_search(*searcher, task_a, seed + 1000, 30, {}, &history);
        const auto warm = bertlab::bench::run_search(*searcher, task_b, seed, args.trials, history);
        const auto cold = bertlab::bench::run_search(*searcher, task_b, seed, args.trials);
        std::cout << nlohmann::json{{"part", "warm_start"}, {"searcher", name}, {"seed", seed}, {"warm", warm},
                                    {"cold", cold}, {"seconds", seconds_since(start)}}
                         .dump()
                  << std::endl;
      }
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "bench_search: " << error.what() << '\n';
    return 1;
  }
}
