// The model's single output is the loss: for function models (the chapter's
// function_1 and function_2), whose value is what gradient descent minimises.
#include <string>

#include "exp/error.hpp"
#include "exp/loss.hpp"

namespace {

class Identity final : public xp::Loss {
 public:
  double sample(std::span<const double> y, std::span<const double>, int) const override {
    check_width(y.size());
    return y[0];
  }

  bool output_gradient(const xp::Matrix& outputs, const xp::Batch&,
                       xp::Matrix& gradient) const override {
    check_width(std::size_t(outputs.cols()));
    const auto rows = outputs.rows();
    gradient.setConstant(rows, 1, rows == 0 ? 0.0 : 1.0 / double(rows));
    return true;
  }

 private:
  static void check_width(std::size_t width) {
    if (width != 1) {
      throw xp::Error("identity loss: the model has " + std::to_string(width) +
                      " outputs, expected 1 (a function model such as polynomial)");
    }
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<Identity>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::loss,
      .name = "identity",
      .version = "1.0.0",
      .summary = "the model's single output is the loss (function models)",
      .parameters = {},
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
