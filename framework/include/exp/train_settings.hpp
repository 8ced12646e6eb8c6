// The `train:` section of a config: how long to train, how batches are drawn, when
// to evaluate, the seed and the threads.
//
//   train: {iterations: 10000, batch_size: 100, sampling: with_replacement,
//           evaluate_every: epoch, seed: 42, threads: 1, checkpoint_seconds: 60,
//           gradient_quality_every: 0}
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xp {

// with_replacement: each step draws batch_size rows uniformly (the book's
// np.random.choice); shuffle: each epoch walks a fresh permutation.
enum class Sampling { with_replacement, shuffle };
std::string_view to_string(Sampling sampling);
std::optional<Sampling> sampling_from_string(std::string_view word);

// When the full train and test splits are evaluated (accuracy).
struct EvaluationCadence {
  enum class Kind { epoch, steps, never };
  Kind kind = Kind::epoch;        // the book evaluates once per epoch
  std::size_t every = 0;          // for Kind::steps
  std::string to_string() const;  // "epoch", "never" or the number of steps
};

struct TrainSettings {
  // Exactly one of the two is set; the config says which.
  std::optional<std::size_t> iterations;
  std::optional<std::size_t> epochs;
  std::size_t batch_size = 100;  // the book's batch
  Sampling sampling = Sampling::with_replacement;
  EvaluationCadence evaluate_every;
  std::uint64_t seed = 42;
  unsigned threads = 1;  // 0 = all hardware threads; results do not depend on it
  // Training seconds between checkpoints, which are what a killed run resumes from
  // (a signal writes one too). A minute loses little work and costs nothing
  // measurable: one file the size of the parameters and the optimizer's state.
  double checkpoint_seconds = 60.0;
  // Every K steps the backprop gradient is computed beside the method's estimate
  // (not used for the update) and their agreement recorded; 0 = never.
  std::size_t gradient_quality_every = 0;

  // The book's iter_per_epoch: max(1, train_size / batch_size), integer division.
  std::size_t iterations_per_epoch(std::size_t train_size) const;
  std::size_t total_steps(std::size_t train_size) const;
  // Whether the splits are evaluated after step (0-based), as the book: i % period == 0.
  bool evaluates_after(std::size_t step, std::size_t train_size) const;
  // Whether the gradient's quality is measured at step (0-based): step % K == 0.
  bool measures_quality_at(std::size_t step) const;
};

}  // namespace xp
