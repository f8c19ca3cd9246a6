// The built-in searchers and pruners as bertlab loads them: from the build's
// plugin directory, through the plugin host, once per test process.
#pragma once

#include <memory>
#include <string>

#include "bertlab/pruner.hpp"
#include "bertlab/searcher.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::test {

inline const plugin::PluginHost& builtin_plugins() {
  // Never unloaded: plugin objects made by a test may outlive any scope in it.
  static const auto* host = [] {
    auto* loaded = new plugin::PluginHost;
    loaded->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return loaded;
  }();
  return *host;
}

inline std::shared_ptr<Searcher> searcher(const std::string& name, Table options = {}) {
  return builtin_plugins().create<Searcher>(name, Options(std::move(options), "search.searcher.options"));
}

inline std::shared_ptr<Pruner> pruner(const std::string& name, Table options = {}) {
  return builtin_plugins().create<Pruner>(name, Options(std::move(options), "search.pruner.options"));
}

}  // namespace bertlab::test
