// A test function for the chapter's calculus listings: f(x) = sum_i sum_k c_k x_i^k,
// a plain function of its parameters x (the dataset's inputs are ignored).
//   function_1 = 0.01*x**2 + 0.1*x  ->  coefficients [0, 0.1, 0.01]
//   function_2 = x[0]**2 + x[1]**2   ->  coefficients [0, 0, 1]
// The value is computed in the order Python evaluates those expressions (highest
// degree first, zero terms skipped, x**k as x*x*...*x, each term c_k * x^k, the
// variables summed in order), so that finite differences reproduce the book's
// printed digits exactly.
#include <string>
#include <vector>

#include "exp/error.hpp"
#include "exp/model.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "coefficients",
     .type = xp::ParameterType::reals,
     .default_value = "[0, 0, 1]",
     .meaning = "c_0, c_1, ..., c_n of f(x) = sum_i sum_k c_k x_i^k (default: the book's "
                "function_2, the sum of squares)"},
    {.name = "start",
     .type = xp::ParameterType::reals,
     .default_value = "[-3.0, 4.0]",
     .meaning = "initial x, one value per variable (default: the book's gradient_descent "
                "init_x)"},
};

// x^k by repeated multiplication, as Python evaluates x**2 bit-exactly (x*x).
double power(double x, std::size_t k) {
  if (k == 0) return 1.0;
  double result = x;
  for (std::size_t i = 1; i < k; ++i) result *= x;
  return result;
}

class Polynomial final : public xp::Model {
 public:
  Polynomial(std::vector<double> coefficients, std::vector<double> start)
      : coefficients_(std::move(coefficients)), start_(std::move(start)) {
    layout_.add("x", 1, start_.size(), /*is_vector=*/true);
  }

  const xp::ParameterLayout& layout() const override { return layout_; }

  void initialize(xp::Vector& theta, xp::Random&) const override {
    for (std::size_t i = 0; i < start_.size(); ++i) theta[Eigen::Index(i)] = start_[i];
  }

  void forward(const xp::Vector& theta, const xp::Matrix& inputs,
               xp::Matrix& outputs) const override {
    outputs.setConstant(inputs.rows(), 1, value(theta));
  }

  bool backprop(const xp::Vector& theta, const xp::Batch& batch, const xp::Loss& loss,
                xp::Vector& gradient) const override {
    xp::Matrix outputs;
    forward(theta, batch.inputs, outputs);
    xp::Matrix output_gradient;
    if (!loss.output_gradient(outputs, batch, output_gradient)) return false;
    // Every row's output is f(theta), so dL/dx_i = (sum_n dL/dy_n) * f'(x_i).
    const double upstream = output_gradient.col(0).sum();
    gradient.resize(theta.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i) gradient[i] = upstream * derivative(theta[i]);
    return true;
  }

 private:
  double value(const xp::Vector& theta) const {
    double total = 0.0;
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      double term_sum = 0.0;
      for (std::size_t k = coefficients_.size(); k-- > 0;) {
        if (coefficients_[k] != 0.0) term_sum += coefficients_[k] * power(theta[i], k);
      }
      total += term_sum;
    }
    return total;
  }

  double derivative(double x) const {
    double sum = 0.0;
    for (std::size_t k = coefficients_.size(); k-- > 1;) {
      if (coefficients_[k] != 0.0) sum += double(k) * coefficients_[k] * power(x, k - 1);
    }
    return sum;
  }

  std::vector<double> coefficients_;
  std::vector<double> start_;
  xp::ParameterLayout layout_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  auto coefficients = parameters.reals("coefficients");
  auto start = parameters.reals("start");
  if (coefficients.empty())
    throw xp::ParameterError("coefficients", "expected at least one coefficient (c_0)");
  if (start.empty())
    throw xp::ParameterError("start", "expected at least one value (the number of variables)");
  return std::make_unique<Polynomial>(std::move(coefficients), std::move(start));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::model,
                                     .name = "polynomial",
                                     .version = "1.0.0",
                                     .summary =
                                         "f(x) = sum_i sum_k c_k x_i^k of its parameters x "
                                         "(the chapter's function_1, function_2)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
