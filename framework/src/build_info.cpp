// The values come from the compiler's predefined macros, the libraries' version
// macros and definitions set by framework/CMakeLists.txt (yaml-cpp 0.7 has no
// version macro; CMake's find_package knows it).
#include "exp/build_info.hpp"

#include <Eigen/Core>
#include <boost/version.hpp>

#include "exp/plugin.hpp"

#ifndef EXP_VERSION
#define EXP_VERSION "unknown"
#endif
#ifndef EXP_YAML_CPP_VERSION
#define EXP_YAML_CPP_VERSION "unknown"
#endif
#ifndef EXP_BUILD_TYPE
#define EXP_BUILD_TYPE "unknown"
#endif
#ifndef EXP_BUILD_FLAGS
#define EXP_BUILD_FLAGS "unknown"
#endif

namespace xp {
namespace {

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown compiler";
#endif
}

std::string dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace

const BuildInfo& build_info() {
  static const BuildInfo info{
      .compiler = compiler(),
      .build_type = EXP_BUILD_TYPE,
      .flags = EXP_BUILD_FLAGS,
      .libraries = {
          {"exp", EXP_VERSION},
          {"exp plugin API", std::to_string(kPluginApiVersion)},
          {"Boost", dotted(BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                           BOOST_VERSION % 100)},
          {"yaml-cpp", EXP_YAML_CPP_VERSION},
          {"Eigen", dotted(EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      }};
  return info;
}

}  // namespace xp
