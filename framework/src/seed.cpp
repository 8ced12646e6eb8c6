#include "exp/seed.hpp"

namespace xp {

namespace {
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t derive_seed(std::uint64_t experiment_seed, std::uint64_t plugin_seed) {
  return mix(mix(experiment_seed + 0x9e3779b97f4a7c15ULL) ^ plugin_seed);
}

}  // namespace xp
