// An optimizer plugin updates parameters from a gradient. Hyper-parameters come
// from its factory; per-run state (velocity, moments, step count) is created on the
// first step and can be saved and restored for checkpoints.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "exp/plugin.hpp"
#include "exp/tensor.hpp"

namespace xp {

using NamedVectors = std::vector<std::pair<std::string, Vector>>;

class Optimizer : public PluginObject {
 public:
  ~Optimizer() override;
  virtual void step(Vector& theta, const Vector& gradient) = 0;
  virtual NamedVectors state() const { return {}; }
  virtual void restore(const NamedVectors& state) { (void)state; }
};

}  // namespace xp
