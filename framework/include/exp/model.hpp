// A model plugin: a function of a flat parameter vector and a batch of inputs.
//
// Besides the forward pass a model may offer three accelerations, all exact:
//  - backprop(): the analytic gradient (the reference every numerical method is
//    checked against);
//  - directional_derivative(): grad L . v by forward-mode differentiation, for
//    forward-gradient estimators;
//  - loss_differences(): L(theta + a e_i) - L(theta + b e_i) for single-parameter
//    perturbations, computed from caches of the unperturbed pass instead of a full
//    re-evaluation. Finite-difference gradient methods use it when present.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "exp/loss.hpp"
#include "exp/parallel.hpp"
#include "exp/plugin.hpp"
#include "exp/process_group.hpp"
#include "exp/random.hpp"
#include "exp/tensor.hpp"

namespace xp {

// How a shortcut computed what it was asked for so far: pairs of (parameter,
// sample whose loss the parameter changes), how many of them took a general
// (slower, still exact) path instead of the fast one, and how many parameters'
// steps moved a unit across a kink of a piecewise activation (relu) for some
// sample: there a difference quotient is not the derivative (a central difference
// averages the two one-sided slopes; backprop takes one of them).
struct ShortcutCounts {
  std::uint64_t pairs = 0;
  std::uint64_t general_pairs = 0;
  std::uint64_t kink_parameters = 0;
};

// The steps a caller will ask LossDifferences::compute for: any (a, b), or only
// symmetric ones (b = -a, as central differences take), and how large. A model may
// size its shortcut for them (the even terms of a symmetric difference cancel);
// asked for other steps, it must still answer them exactly, if slower.
struct DifferenceSteps {
  bool symmetric = false;
  double largest = std::numeric_limits<double>::infinity();  // max |a|, |b|
  static DifferenceSteps any() { return {}; }
  static DifferenceSteps central(double h) { return {true, std::abs(h)}; }
};

// Loss differences of one batch at fixed parameters theta.
class LossDifferences {
 public:
  virtual ~LossDifferences();
  // Totals over every compute() call so far (zero for a shortcut that keeps none).
  virtual ShortcutCounts counts() const;
  // out[i - begin] = L(theta + a e_i) - L(theta + b e_i) for every i in [begin, end),
  // where theta + a e_i means theta with element i replaced by the double theta_i + a
  // (as a naive evaluation would compute it). Called concurrently on disjoint ranges.
  virtual void compute(std::size_t begin, std::size_t end, double a, double b,
                       double* out) const = 0;
};

class Model : public PluginObject {
 public:
  ~Model() override;
  virtual const ParameterLayout& layout() const = 0;
  // Sets theta (already sized to layout().size()) to the initial parameters.
  virtual void initialize(Vector& theta, Random& rng) const = 0;
  // outputs = f(theta, inputs): B x K for inputs B x D, row by row: row n of the
  // outputs depends on theta and row n of the inputs alone, up to rounding (exp
  // evaluates a batch in blocks of rows and a data set in chunks, on several threads;
  // the blocks are fixed, so results do not depend on the threads). Thread-safe.
  virtual void forward(const Vector& theta, const Matrix& inputs, Matrix& outputs) const = 0;
  // gradient = dL/dtheta of loss.batch(f(theta, batch.inputs), batch). False if unsupported.
  virtual bool backprop(const Vector& theta, const Batch& batch, const Loss& loss,
                        Vector& gradient) const;
  // derivative = grad L(theta) . direction for the same loss, by forward-mode
  // differentiation (no backward pass). False if unsupported. Thread-safe.
  virtual bool directional_derivative(const Vector& theta, const Batch& batch, const Loss& loss,
                                      const Vector& direction, double& derivative) const;
  // nullptr when the model has no shortcut for this loss (then full evaluations are used).
  // The shortcut's per-batch setup may spread over `pool`, and over the processes of
  // `group` (each prepares a part, all_gather shares them; every process of the group
  // calls this alike and must make the same group calls); its results must not depend
  // on the pool's size or the group's. The caller keeps theta, batch and loss alive
  // and unchanged for the returned object's lifetime, so a shortcut may refer to them.
  virtual std::unique_ptr<LossDifferences> loss_differences(const Vector& theta, const Batch& batch,
                                                            const Loss& loss, DifferenceSteps steps,
                                                            ThreadPool& pool,
                                                            ProcessGroup& group) const;
};

}  // namespace xp
