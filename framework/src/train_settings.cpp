#include "exp/train_settings.hpp"

#include <algorithm>

namespace xp {

std::string_view to_string(Sampling sampling) {
  return sampling == Sampling::shuffle ? "shuffle" : "with_replacement";
}

std::optional<Sampling> sampling_from_string(std::string_view word) {
  if (word == "with_replacement") return Sampling::with_replacement;
  if (word == "shuffle") return Sampling::shuffle;
  return std::nullopt;
}

std::string EvaluationCadence::to_string() const {
  switch (kind) {
    case Kind::epoch:
      return "epoch";
    case Kind::never:
      return "never";
    case Kind::steps:
      return std::to_string(every);
  }
  return "epoch";
}

std::size_t TrainSettings::iterations_per_epoch(std::size_t train_size) const {
  return std::max<std::size_t>(1, train_size / std::max<std::size_t>(1, batch_size));
}

std::size_t TrainSettings::total_steps(std::size_t train_size) const {
  if (iterations) return *iterations;
  return epochs.value_or(1) * iterations_per_epoch(train_size);
}

bool TrainSettings::evaluates_after(std::size_t step, std::size_t train_size) const {
  switch (evaluate_every.kind) {
    case EvaluationCadence::Kind::epoch:
      return step % iterations_per_epoch(train_size) == 0;
    case EvaluationCadence::Kind::steps:
      return step % evaluate_every.every == 0;
    case EvaluationCadence::Kind::never:
      return false;
  }
  return false;
}

bool TrainSettings::measures_quality_at(std::size_t step) const {
  return gradient_quality_every != 0 && step % gradient_quality_every == 0;
}

}  // namespace xp
