// The plugin host: finds plugin libraries, loads them through Boost.DLL,
// checks the SDK ABI and LibTorch versions before using anything else from
// them, and creates plugin objects by kind and name.
//
// A library that cannot be used (not a shared library, no entry point,
// another ABI or LibTorch version, a duplicate name) is recorded as a
// LoadProblem with the file and the reason; every other plugin still loads.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bertlab/plugin.hpp"

namespace bertlab::plugin {

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginRecord {
  std::string kind;
  std::string name;
  std::string version;
  std::string description;
  std::string torch_version;
  std::filesystem::path file;
};

struct LoadProblem {
  std::filesystem::path file;
  std::string reason;
  std::string message() const { return file.string() + ": " + reason; }
};

class PluginHost {
 public:
  PluginHost();
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // The directories searched by default, in order: each entry of
  // BERTLAB_PLUGIN_PATH (':'-separated directories or library files), the
  // build tree's plugin directory (<bertlab dir>/plugins), the installed one
  // (<bertlab dir>/../lib/bertlab/plugins).
  static std::vector<std::filesystem::path> default_search_path();

  // Loads every `*.so` in `directory` (or the file itself). Earlier loads win
  // when two libraries carry the same kind and name. A directory that does
  // not exist is skipped silently for the defaults; `required` makes it a
  // problem (directories named in an experiment).
  void load_from(const std::filesystem::path& directory_or_file, bool required = false);
  void load_defaults();

  const std::vector<PluginRecord>& plugins() const { return records_; }
  const std::vector<LoadProblem>& problems() const { return problems_; }
  const PluginRecord* find(std::string_view kind, std::string_view name) const;
  std::vector<std::string> names(std::string_view kind) const;

  // Creates the plugin `name` of the interface's kind. Throws PluginError
  // naming the kind, the name and the available plugins when none matches,
  // and the file and the factory's message when the factory throws. The
  // object keeps its library loaded for as long as it lives.
  template <class Interface>
  std::shared_ptr<Interface> create(std::string_view name, const Options& options) const {
    return std::static_pointer_cast<Interface>(create_plugin(Interface::kKind, name, options));
  }

  std::shared_ptr<Plugin> create_plugin(std::string_view kind, std::string_view name,
                                        const Options& options) const;

 private:
  struct Loaded;
  void load_file(const std::filesystem::path& file);

  std::vector<PluginRecord> records_;
  std::vector<std::unique_ptr<Loaded>> loaded_;  // parallel to records_
  std::vector<LoadProblem> problems_;
};

}  // namespace bertlab::plugin
