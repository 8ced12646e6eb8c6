// "Did you mean ...?" for near misses in config keys, plugin and parameter names.
//
//   closest_word("optimzer", {"dataset", "model", "optimizer"})  // "optimizer"
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xp {

// The candidate nearest to word by edit distance, if it is near enough to be a typo.
std::optional<std::string> closest_word(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'optimizer'?)" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace xp
