#include <doctest/doctest.h>

#include <algorithm>

#include "bertlab/pruner.hpp"
#include "bertlab/searcher.hpp"
#include "plugin/plugin_host.hpp"

using bertlab::plugin::PluginError;
using bertlab::plugin::PluginHost;

namespace {

std::string problem_for(const PluginHost& host, const std::string& file_name) {
  for (const auto& problem : host.problems())
    if (problem.file.filename() == file_name) return problem.message();
  return {};
}

}  // namespace

TEST_CASE("plugin host: built-in plugins load with no problems") {
  PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  CHECK(host.problems().empty());
  CHECK(host.find("searcher", "grid") != nullptr);
  CHECK(host.find("searcher", "random") != nullptr);
  for (const auto& record : host.plugins()) {
    CHECK(!record.version.empty());
    CHECK(!record.description.empty());
    CHECK(record.torch_version == TORCH_VERSION);
  }
}

TEST_CASE("plugin host: each bad file is one problem naming it, the good plugins still load") {
  PluginHost host;
  host.load_from(BERTLAB_FIXTURE_DIR, /*required=*/true);

  REQUIRE(host.find("searcher", "fixture-constant") != nullptr);
  REQUIRE(host.find("pruner", "fixture-throws") != nullptr);  // listing needs no factory call
  CHECK(host.problems().size() == 4);

  std::string abi = problem_for(host, "libbertlab-searcher-fixture-future.so");
  CHECK(abi.find(BERTLAB_FIXTURE_DIR) == 0);
  CHECK(abi.find("SDK ABI version " + std::to_string(bertlab::kSdkAbiVersion + 1)) != std::string::npos);
  CHECK(abi.find("SDK ABI version " + std::to_string(bertlab::kSdkAbiVersion)) != std::string::npos);
  CHECK(host.find("searcher", "fixture-future") == nullptr);

  std::string torch = problem_for(host, "libbertlab-searcher-fixture-old-torch.so");
  CHECK(torch.find("LibTorch 1.13.1") != std::string::npos);
  CHECK(torch.find(std::string("LibTorch ") + TORCH_VERSION) != std::string::npos);

  CHECK(problem_for(host, "libbertlab-fixture-no-entry.so").find("missing entry point 'bertlab_plugin_info'") !=
        std::string::npos);
  CHECK(problem_for(host, "libbertlab-not-a-library.so").find("not a loadable shared library") !=
        std::string::npos);
}

TEST_CASE("plugin host: a good plugin is created and used") {
  PluginHost host;
  host.load_from(BERTLAB_FIXTURE_DIR);
  auto searcher = host.create<bertlab::Searcher>("fixture-constant", bertlab::Options({{"value", 0.25}}));
  bertlab::StudyView study;
  auto params = searcher->ask(study, 0);
  REQUIRE(params.has_value());
  CHECK(params->at("x").as_double() == 0.25);
}

TEST_CASE("plugin host: factory errors name the file and the reason") {
  PluginHost host;
  host.load_from(BERTLAB_FIXTURE_DIR);
  try {
    host.create<bertlab::Pruner>("fixture-throws", bertlab::Options());
    FAIL("expected PluginError");
  } catch (const PluginError& e) {
    std::string message = e.what();
    CHECK(message.find("libbertlab-pruner-fixture-throws.so") != std::string::npos);
    CHECK(message.find("fixture refuses to start") != std::string::npos);
  }
  // An option the plugin does not know is refused by name.
  try {
    host.create<bertlab::Searcher>("fixture-constant", bertlab::Options({{"valeu", 1.0}}, "search.searcher"));
    FAIL("expected PluginError");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("option 'search.searcher.valeu': unknown option") != std::string::npos);
  }
}

TEST_CASE("plugin host: unknown names list what is available, duplicates are refused") {
  PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR);
  try {
    host.create<bertlab::Searcher>("tpe-typo", bertlab::Options());
    FAIL("expected PluginError");
  } catch (const PluginError& e) {
    std::string message = e.what();
    CHECK(message.find("no searcher plugin named 'tpe-typo'") != std::string::npos);
    CHECK(message.find("grid") != std::string::npos);
  }
  auto before = host.plugins().size();
  host.load_from(BERTLAB_PLUGIN_DIR);
  CHECK(host.plugins().size() == before);
  CHECK(host.problems().size() == before);
  CHECK(host.problems().front().reason.find("duplicate") != std::string::npos);
}

TEST_CASE("plugin host: a named directory that does not exist is a problem") {
  PluginHost host;
  host.load_from("/nonexistent/bertlab/plugins", /*required=*/true);
  REQUIRE(host.problems().size() == 1);
  CHECK(host.problems()[0].reason == "plugin directory does not exist");
}
