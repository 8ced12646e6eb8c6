// Saving and restoring the per-run state of an optimizer (velocity, moments, step
// count) as named vectors, with the checks every optimizer needs.
//
//   NamedVectors state() const override { return {{"v", v_}}; }
//   void restore(const NamedVectors& state) override { v_ = xp::saved_state(state, "v",
//   "momentum"); }
#pragma once

#include <string_view>

#include "exp/optimizer.hpp"

namespace xp {

// The vector saved under `name`; throws xp::Error naming the optimizer and the
// entries found when it is missing (a checkpoint of another optimizer).
const Vector& saved_state(const NamedVectors& state, std::string_view name,
                          std::string_view optimizer);

// Called at the start of step(): creates zero state on the first step (empty
// vectors) and refuses state of another size (restored for other parameters).
void prepare_state(Vector& state, const Vector& theta, std::string_view name,
                   std::string_view optimizer);

}  // namespace xp
