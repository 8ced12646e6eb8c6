// Seeds of generated data: a plugin's own `seed` parameter combined with the
// experiment's seed, so that changing either gives different data and the same pair
// always gives the same data.
//
//   xp::Random rng(xp::derive_seed(context.seed, parameters.integer("seed")));
#pragma once

#include <cstdint>

namespace xp {

// A splitmix64-style mix of both seeds; (a, b) and (b, a) give different streams.
std::uint64_t derive_seed(std::uint64_t experiment_seed, std::uint64_t plugin_seed);

}  // namespace xp
