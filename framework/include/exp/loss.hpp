// A loss plugin: the loss of one output row against its target; a batch's loss is
// the mean over its samples.
#pragma once

#include <span>

#include "exp/plugin.hpp"
#include "exp/tensor.hpp"

namespace xp {

// Lets a model choose an exact closed form for loss differences (see model.hpp).
// A loss that reports `generic` is still handled exactly, through sample().
enum class LossForm : std::uint32_t {
  generic,
  squared_error,        // 0.5 * sum_k (y_k - t_k)^2
  cross_entropy,        // -sum_k t_k log(y_k + epsilon()), y a probability row
};

class Loss : public PluginObject {
 public:
  ~Loss() override;
  // Loss of one sample: output row y against target row t (label: its class or -1).
  virtual double sample(std::span<const double> y, std::span<const double> t, int label) const = 0;
  // Mean over the batch; the default sums sample() in row order and divides by B.
  virtual double batch(const Matrix& outputs, const Batch& batch) const;
  // d(batch loss)/d(outputs), exact for the loss as implemented. Returns false when
  // the plugin offers no analytic derivative (then no backprop is possible).
  virtual bool output_gradient(const Matrix& outputs, const Batch& batch, Matrix& gradient) const;
  virtual LossForm form() const { return LossForm::generic; }
  virtual double epsilon() const { return 0.0; }  // the cross-entropy's 1e-7
};

}  // namespace xp
