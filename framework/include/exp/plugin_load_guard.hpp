// Loading a plugin library runs its static constructors: code exp cannot catch. A
// constructor that calls exit() would end exp with status 0 and no word; one that
// aborts or crashes would end it with no word either. While a library is being
// loaded a PluginLoadGuard is alive: if the process ends inside it, by exit() or by
// a fatal signal, one line names the file on stderr first, and exit() becomes
// exit status 1.
//
//   {
//     xp::PluginLoadGuard guard(file);
//     library = load(file);   // its constructors run here
//   }
#pragma once

#include <filesystem>

namespace xp {

class PluginLoadGuard {
 public:
  explicit PluginLoadGuard(const std::filesystem::path& file);
  ~PluginLoadGuard();
  PluginLoadGuard(const PluginLoadGuard&) = delete;
  PluginLoadGuard& operator=(const PluginLoadGuard&) = delete;
};

}  // namespace xp
