#include "exp/abi_fingerprint.hpp"

namespace xp {

namespace {

struct Field {
  const char* setting;
  std::uint32_t AbiFingerprint::*member;
};

constexpr Field kFields[] = {
    {"EIGEN_MAX_ALIGN_BYTES", &AbiFingerprint::eigen_max_align_bytes},
    {"EIGEN_MAX_STATIC_ALIGN_BYTES", &AbiFingerprint::eigen_max_static_align_bytes},
    {"Eigen version", &AbiFingerprint::eigen_version},
    {"_GLIBCXX_DEBUG (1: defined)", &AbiFingerprint::glibcxx_debug},
    {"_GLIBCXX_ASSERTIONS (1: defined)", &AbiFingerprint::glibcxx_assertions},
    {"_GLIBCXX_USE_CXX11_ABI", &AbiFingerprint::cxx11_abi},
    {"sizeof(xp::Matrix)", &AbiFingerprint::size_of_matrix},
    {"sizeof(xp::Vector)", &AbiFingerprint::size_of_vector},
    {"sizeof(xp::Batch)", &AbiFingerprint::size_of_batch},
    {"sizeof(std::string)", &AbiFingerprint::size_of_string},
    {"sizeof(std::vector)", &AbiFingerprint::size_of_std_vector},
    {"sizeof(std::function)", &AbiFingerprint::size_of_function},
    {"sizeof(xp::Parameters)", &AbiFingerprint::size_of_parameters},
};

}  // namespace

std::string abi_difference(const AbiFingerprint& plugin, const AbiFingerprint& exp) {
  for (const Field& field : kFields) {
    const std::uint32_t theirs = plugin.*field.member;
    const std::uint32_t ours = exp.*field.member;
    if (theirs != ours) {
      return std::string(field.setting) + " " + std::to_string(theirs) + " in the plugin, " +
             std::to_string(ours) + " in exp";
    }
  }
  return "";
}

const AbiFingerprint& exp_abi_fingerprint() {
  static const AbiFingerprint fingerprint = EXP_ABI_FINGERPRINT_HERE;
  return fingerprint;
}

}  // namespace xp
