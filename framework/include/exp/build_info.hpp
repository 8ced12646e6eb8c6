// How libexp was built, for the reproducibility record of a run (summary.json):
// the compiler, the flags that change results (-march=native, -ffp-contract=off,
// sanitizers), and the versions of the libraries it was compiled against.
//
//   const xp::BuildInfo& build = xp::build_info();
//   // build.compiler == "GCC 12.2.0"; build.libraries[0] == {"exp", "0.1.0"}
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xp {

struct BuildInfo {
  std::string compiler;    // name and version: "GCC 12.2.0", "clang 14.0.6"
  std::string build_type;  // CMake's: "Release", "Debug", ...
  std::string flags;       // the compile options libexp (and every plugin) was built with
  // {name, version}, in a fixed order: exp, plugin API, Boost, yaml-cpp, Eigen.
  std::vector<std::pair<std::string, std::string>> libraries;
};

// Captured when libexp was compiled (plugins are built with the same options).
const BuildInfo& build_info();

}  // namespace xp
