// The one random number generator of an experiment: xoshiro256** seeded through
// splitmix64, with our own uniform and normal draws, so that a seed gives the same
// numbers on every standard library and every machine (std:: distributions do not).
//
//   xp::Random rng(42);
//   double w = 0.01 * rng.normal();
//   std::size_t row = rng.below(train_size);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace xp {

class Random {
 public:
  explicit Random(std::uint64_t seed = 0);

  std::uint64_t next();                   // 64 uniformly random bits
  double uniform();                       // in [0, 1), 53 random bits
  double normal();                        // standard normal (Box-Muller, pairs cached)
  std::size_t below(std::size_t bound);   // uniform in [0, bound), without modulo bias

  // The complete state, for checkpoints: resuming from it continues the same stream.
  struct State {
    std::array<std::uint64_t, 4> words{};
    bool has_spare_normal = false;
    double spare_normal = 0.0;
  };
  State state() const;
  void restore(const State& state);

 private:
  std::array<std::uint64_t, 4> s_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace xp
