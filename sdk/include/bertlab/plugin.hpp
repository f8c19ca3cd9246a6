// bertlab SDK v2 — plugin.hpp
//
// What every plugin is: a shared library exporting two entry points,
//
//   bertlab_plugin_info    -> const bertlab::PluginInfo* ()
//   bertlab_plugin_create  -> bertlab::Plugin* (const bertlab::Options&)
//
// both written by the BERTLAB_PLUGIN macro below, through Boost.DLL aliases.
// As with LLVM's llvmGetPassPluginInfo, the host calls `bertlab_plugin_info`
// first and reads `abi_version` before anything else; it refuses the library
// (naming both versions) when that differs from the host's kSdkAbiVersion, and
// likewise when the plugin was compiled against another LibTorch version,
// since LibTorch types (tensors, modules) cross the boundary.
//
// Ownership: `bertlab_plugin_create` returns a new object owned by the host,
// which deletes it through the virtual destructor before unloading the
// library. Factories may throw (any std::exception): the host reports the
// plugin file and the message, and no object is created.
//
// A plugin is one class deriving from one kind interface (tokenizer.hpp,
// head.hpp, augmentation.hpp, searcher.hpp, pruner.hpp), constructed from its
// Options:
//
//   class MySearcher final : public bertlab::Searcher {
//    public:
//     explicit MySearcher(const bertlab::Options& options);
//     ...
//   };
//   BERTLAB_PLUGIN(MySearcher, "my-searcher", "1.0.0", "One line on what it does")
#pragma once

#include <cstdint>

#include <boost/dll/alias.hpp>
#include <torch/headeronly/version.h>

#include "bertlab/value.hpp"

namespace bertlab {

// Bumped whenever a change to any SDK header breaks binary compatibility with
// plugins built before it (a changed virtual table, struct layout, or
// entry-point signature). The host loads only plugins built with its own.
inline constexpr std::uint32_t kSdkAbiVersion = 2;  // 2: StudyView::history (warm start)

// The kinds a plugin can be. Each kind interface names its own in `kKind`.
namespace kind {
inline constexpr const char* tokenizer = "tokenizer";
inline constexpr const char* head = "head";
inline constexpr const char* augmentation = "augmentation";
inline constexpr const char* searcher = "searcher";
inline constexpr const char* pruner = "pruner";
}  // namespace kind

// A plugin's identity. The layout is C-compatible and `abi_version` is first
// and stays first in every future version, so a host can read it from a
// plugin of any version before trusting the rest.
struct PluginInfo {
  std::uint32_t abi_version;  // kSdkAbiVersion the plugin was compiled with
  std::uint32_t reserved;     // zero
  const char* torch_version;  // TORCH_VERSION the plugin was compiled with
  const char* kind;           // one of bertlab::kind
  const char* name;           // unique within its kind, e.g. "wordpiece"
  const char* version;        // the plugin's own version, e.g. "1.2.0"
  const char* description;    // one line
};

// Base of every kind interface; the host only deletes through it.
class Plugin {
 public:
  virtual ~Plugin() = default;
};

using PluginInfoFunction = const PluginInfo*();
using PluginCreateFunction = Plugin*(const Options&);

}  // namespace bertlab

// Exports a plugin's entry points. `Class` must derive from exactly one kind
// interface and have a constructor taking `const bertlab::Options&`. Use once
// per shared library, at namespace scope.
#define BERTLAB_PLUGIN(Class, NAME, VERSION, DESCRIPTION)                                  \
  namespace bertlab_plugin_entry {                                                           \
  const ::bertlab::PluginInfo* info() {                                                      \
    static const ::bertlab::PluginInfo plugin_info{::bertlab::kSdkAbiVersion, 0u,            \
                                                   TORCH_VERSION, Class::kKind, NAME,        \
                                                   VERSION, DESCRIPTION};                    \
    return &plugin_info;                                                                     \
  }                                                                                          \
  ::bertlab::Plugin* create(const ::bertlab::Options& options) {                            \
    return static_cast<Class::Interface*>(new Class(options));                               \
  }                                                                                          \
  }                                                                                          \
  BOOST_DLL_ALIAS(bertlab_plugin_entry::info, bertlab_plugin_info)                           \
  BOOST_DLL_ALIAS(bertlab_plugin_entry::create, bertlab_plugin_create)
