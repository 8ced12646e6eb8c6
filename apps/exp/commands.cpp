#include "commands.hpp"

#include <algorithm>

namespace xp::cli {
namespace {

// A function-local static: registrations run during static initialisation, in an
// order across files that the language leaves open.
std::vector<Command>& registered() {
  static std::vector<Command> all;
  return all;
}

}  // namespace

const std::vector<Command>& commands() { return registered(); }

CommandRegistration::CommandRegistration(const Command& command) {
  auto& all = registered();
  all.insert(std::upper_bound(all.begin(), all.end(), command,
                              [](const Command& a, const Command& b) { return a.rank < b.rank; }),
             command);
}

}  // namespace xp::cli
