// Reading tensors back from what `exp grad` and `exp run` print ("x: [6.0, 8.0]",
// "W1: [[0.1, 0.2], [0.3, 0.4]]").
#pragma once

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

namespace xp::test {

// The numbers of the tensor printed as "<name>: [...]" in output; empty if absent.
inline std::vector<double> printed_tensor(const std::string& output, const std::string& name) {
  const std::regex start("(^|\n)" + name + ": \\[");
  std::smatch match;
  if (!std::regex_search(output, match, start)) return {};
  const std::size_t begin = std::size_t(match.position(0) + match.length(0)) - 1;
  int depth = 0;
  std::size_t end = begin;
  for (; end < output.size(); ++end) {
    if (output[end] == '[') ++depth;
    if (output[end] == ']' && --depth == 0) break;
  }
  const std::string text = output.substr(begin, end - begin);
  const std::regex number(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?inf|nan)");
  std::vector<double> values;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
       it != std::sregex_iterator(); ++it) {
    values.push_back(std::strtod(it->str().c_str(), nullptr));
  }
  return values;
}

}  // namespace xp::test
