#include "exp/optimizer_state.hpp"

#include <string>

#include "exp/error.hpp"

namespace xp {

const Vector& saved_state(const NamedVectors& state, std::string_view name,
                          std::string_view optimizer) {
  std::string found;
  for (const auto& [key, value] : state) {
    if (key == name) return value;
    found += (found.empty() ? "" : ", ") + key;
  }
  throw Error(std::string(optimizer) + " optimizer: saved state has no '" + std::string(name) +
              "' (found: " + (found.empty() ? "nothing" : found) + ")");
}

void prepare_state(Vector& state, const Vector& theta, std::string_view name,
                   std::string_view optimizer) {
  if (state.size() == 0) {
    state = Vector::Zero(theta.size());
  } else if (state.size() != theta.size()) {
    throw Error(std::string(optimizer) + " optimizer: state '" + std::string(name) + "' has " +
                std::to_string(state.size()) + " values, the parameters " +
                std::to_string(theta.size()));
  }
}

}  // namespace xp
