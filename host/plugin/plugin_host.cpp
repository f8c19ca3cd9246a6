#include "plugin/plugin_host.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace bertlab::plugin {

namespace fs = std::filesystem;

struct PluginHost::Loaded {
  std::shared_ptr<boost::dll::shared_library> library;
  PluginCreateFunction* create = nullptr;
};

PluginHost::PluginHost() = default;
PluginHost::~PluginHost() = default;

namespace {

constexpr const char* kInfoSymbol = "bertlab_plugin_info";
constexpr const char* kCreateSymbol = "bertlab_plugin_create";

bool is_known_kind(std::string_view kind) {
  for (const char* k : {kind::tokenizer, kind::head, kind::augmentation, kind::searcher, kind::pruner})
    if (kind == k) return true;
  return false;
}

std::string text_or_empty(const char* text) { return text ? std::string(text) : std::string(); }

}  // namespace

std::vector<fs::path> PluginHost::default_search_path() {
  std::vector<fs::path> path;
  if (const char* env = std::getenv("BERTLAB_PLUGIN_PATH")) {
    std::string_view rest(env);
    while (!rest.empty()) {
      auto colon = rest.find(':');
      auto entry = rest.substr(0, colon);
      if (!entry.empty()) path.emplace_back(entry);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  boost::system::error_code ec;
  auto exe_dir = fs::path(boost::dll::program_location(ec).parent_path().string());
  if (!ec) {
    path.push_back(exe_dir / "plugins");
    path.push_back((exe_dir / ".." / "lib" / "bertlab" / "plugins").lexically_normal());
  }
  return path;
}

void PluginHost::load_defaults() {
  for (const auto& entry : default_search_path()) load_from(entry);
}

void PluginHost::load_from(const fs::path& directory_or_file, bool required) {
  std::error_code ec;
  if (fs::is_regular_file(directory_or_file, ec)) {
    load_file(directory_or_file);
    return;
  }
  if (!fs::is_directory(directory_or_file, ec)) {
    if (required) problems_.push_back({directory_or_file, "plugin directory does not exist"});
    return;
  }
  // Sorted, so that which of two duplicates wins does not depend on the file system.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory_or_file, ec))
    if (entry.path().extension() == ".so" && !entry.is_directory()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file);
}

void PluginHost::load_file(const fs::path& file) {
  auto fail = [&](std::string reason) { problems_.push_back({file, std::move(reason)}); };
  auto library = std::make_shared<boost::dll::shared_library>();
  boost::system::error_code ec;
  library->load(file.string(), boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local, ec);
  if (ec || !library->is_loaded()) {
    return fail("not a loadable shared library (" + ec.message() + ")");
  }
  if (!library->has(kInfoSymbol)) {
    return fail(fmt::format("missing entry point '{}': not a bertlab plugin", kInfoSymbol));
  }
  const PluginInfo* info = library->get_alias<PluginInfoFunction>(kInfoSymbol)();
  if (info == nullptr) return fail(fmt::format("entry point '{}' returned nothing", kInfoSymbol));
  // The ABI version is the one field every SDK version keeps in place; nothing
  // else in `info` may be read before it matches.
  if (info->abi_version != kSdkAbiVersion) {
    return fail(fmt::format("built for bertlab SDK ABI version {}, this bertlab uses SDK ABI version {}",
                            info->abi_version, kSdkAbiVersion));
  }
  std::string torch_version = text_or_empty(info->torch_version);
  if (torch_version != TORCH_VERSION) {
    return fail(fmt::format("built against LibTorch {}, this bertlab uses LibTorch {}",
                            torch_version.empty() ? "(unknown)" : torch_version, TORCH_VERSION));
  }
  PluginRecord record{text_or_empty(info->kind),    text_or_empty(info->name),
                      text_or_empty(info->version), text_or_empty(info->description),
                      torch_version,                file};
  if (!is_known_kind(record.kind)) return fail(fmt::format("unknown plugin kind '{}'", record.kind));
  if (record.name.empty()) return fail("plugin has an empty name");
  if (!library->has(kCreateSymbol)) {
    return fail(fmt::format("missing entry point '{}'", kCreateSymbol));
  }
  if (const PluginRecord* existing = find(record.kind, record.name)) {
    return fail(fmt::format("duplicate {} plugin '{}': already loaded from {}", record.kind, record.name,
                            existing->file.string()));
  }
  auto loaded = std::make_unique<Loaded>();
  loaded->create = &library->get_alias<PluginCreateFunction>(kCreateSymbol);
  loaded->library = std::move(library);
  records_.push_back(std::move(record));
  loaded_.push_back(std::move(loaded));
}

const PluginRecord* PluginHost::find(std::string_view kind, std::string_view name) const {
  for (const auto& record : records_)
    if (record.kind == kind && record.name == name) return &record;
  return nullptr;
}

std::vector<std::string> PluginHost::names(std::string_view kind) const {
  std::vector<std::string> out;
  for (const auto& record : records_)
    if (record.kind == kind) out.push_back(record.name);
  return out;
}

std::shared_ptr<Plugin> PluginHost::create_plugin(std::string_view kind, std::string_view name,
                                                  const Options& options) const {
  const PluginRecord* record = find(kind, name);
  if (record == nullptr) {
    auto available = names(kind);
    throw PluginError(fmt::format("no {} plugin named '{}' (available: {})", kind, name,
                                  available.empty() ? "none" : fmt::format("{}", fmt::join(available, ", "))));
  }
  const Loaded& loaded = *loaded_[static_cast<std::size_t>(record - records_.data())];
  Plugin* raw = nullptr;
  try {
    raw = loaded.create(options);
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("{}: {} plugin '{}' could not be created: {}", record->file.string(), kind,
                                  name, e.what()));
  } catch (...) {
    throw PluginError(fmt::format("{}: {} plugin '{}' could not be created: unknown exception",
                                  record->file.string(), kind, name));
  }
  if (raw == nullptr) {
    throw PluginError(fmt::format("{}: {} plugin '{}' factory returned nothing", record->file.string(), kind, name));
  }
  // The deleter holds the library, so the code of the object's destructor is
  // still mapped when it runs.
  return std::shared_ptr<Plugin>(raw, [library = loaded.library](Plugin* p) { delete p; });
}

}  // namespace bertlab::plugin
