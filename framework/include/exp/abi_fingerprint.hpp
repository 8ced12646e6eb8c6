// What must agree between exp and a plugin beyond the API version: the settings that
// change the memory layout of what crosses the library boundary (Eigen's alignment
// and version, the C++ library's debug mode and string ABI, the sizes of the types
// the interfaces pass). EXP_PLUGIN records the plugin's own, as its compiler saw
// them, in a second exported entry point; the loader compares it with libexp's and
// refuses a mismatch naming the setting, instead of corrupting memory later (a
// _GLIBCXX_DEBUG plugin silently lost its labels; another alignment freed Eigen
// memory wrongly).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "exp/parameters.hpp"
#include "exp/tensor.hpp"

namespace xp {

struct AbiFingerprint {
  std::uint32_t eigen_max_align_bytes;
  std::uint32_t eigen_max_static_align_bytes;
  std::uint32_t eigen_version;       // world * 10000 + major * 100 + minor
  std::uint32_t glibcxx_debug;       // _GLIBCXX_DEBUG defined
  std::uint32_t glibcxx_assertions;  // _GLIBCXX_ASSERTIONS defined
  std::uint32_t cxx11_abi;           // _GLIBCXX_USE_CXX11_ABI
  std::uint32_t size_of_matrix;
  std::uint32_t size_of_vector;
  std::uint32_t size_of_batch;
  std::uint32_t size_of_string;
  std::uint32_t size_of_std_vector;
  std::uint32_t size_of_function;
  std::uint32_t size_of_parameters;
};

// "EIGEN_MAX_ALIGN_BYTES 16 in the plugin, 64 in exp" for the first field that
// differs, or "" when all agree.
std::string abi_difference(const AbiFingerprint& plugin, const AbiFingerprint& exp);

// libexp's own fingerprint.
const AbiFingerprint& exp_abi_fingerprint();

}  // namespace xp

#if defined(_GLIBCXX_DEBUG)
#define EXP_ABI_GLIBCXX_DEBUG 1u
#else
#define EXP_ABI_GLIBCXX_DEBUG 0u
#endif
#if defined(_GLIBCXX_ASSERTIONS)
#define EXP_ABI_GLIBCXX_ASSERTIONS 1u
#else
#define EXP_ABI_GLIBCXX_ASSERTIONS 0u
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI)
#define EXP_ABI_CXX11_ABI std::uint32_t(_GLIBCXX_USE_CXX11_ABI)
#else
#define EXP_ABI_CXX11_ABI 2u
#endif

// The fingerprint as the translation unit that expands this macro is compiled: used
// inside EXP_PLUGIN (the plugin's) and once in libexp (exp's).
#define EXP_ABI_FINGERPRINT_HERE                                                                  \
  ::xp::AbiFingerprint {                                                                          \
    std::uint32_t(EIGEN_MAX_ALIGN_BYTES), std::uint32_t(EIGEN_MAX_STATIC_ALIGN_BYTES),            \
        std::uint32_t(EIGEN_WORLD_VERSION * 10000 + EIGEN_MAJOR_VERSION * 100 +                   \
                      EIGEN_MINOR_VERSION),                                                       \
        EXP_ABI_GLIBCXX_DEBUG, EXP_ABI_GLIBCXX_ASSERTIONS, EXP_ABI_CXX11_ABI,                     \
        std::uint32_t(sizeof(::xp::Matrix)), std::uint32_t(sizeof(::xp::Vector)),                 \
        std::uint32_t(sizeof(::xp::Batch)), std::uint32_t(sizeof(std::string)),                   \
        std::uint32_t(sizeof(std::vector<double>)), std::uint32_t(sizeof(std::function<void()>)), \
        std::uint32_t(sizeof(::xp::Parameters))                                                   \
  }
