#include "exp/random.hpp"

#include <cmath>
#include <numbers>

namespace xp {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

__extension__ using Uint128 = unsigned __int128;

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

std::size_t Random::below(std::size_t bound) {
  // Lemire's multiply-and-reject: unbiased, and one multiplication in the common case.
  if (bound == 0) return 0;
  Uint128 product = Uint128(next()) * bound;
  auto low = std::uint64_t(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - std::uint64_t(bound)) % bound;
    while (low < threshold) {
      product = Uint128(next()) * bound;
      low = std::uint64_t(product);
    }
  }
  return std::size_t(product >> 64);
}

Random::State Random::state() const { return State{s_, has_spare_, spare_}; }

void Random::restore(const State& state) {
  s_ = state.words;
  has_spare_ = state.has_spare_normal;
  spare_ = state.spare_normal;
}

}  // namespace xp
