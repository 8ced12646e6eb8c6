// A model whose forward pass breaks the row contract: it returns one row fewer than
// it is given (a plugin author's off-by-one). A loss would then read the batch's
// targets by a row count that is not the batch's; exp must stop with the shapes named.
#include <algorithm>
#include <memory>

#include "exp/model.hpp"

namespace {

class ShortRows final : public xp::Model {
 public:
  explicit ShortRows(const xp::Context& context) : outputs_(Eigen::Index(context.output_size)) {
    layout_.add("w", 1, 1);
  }
  const xp::ParameterLayout& layout() const override { return layout_; }
  void initialize(xp::Vector& theta, xp::Random&) const override { theta.setZero(); }
  void forward(const xp::Vector& theta, const xp::Matrix& inputs,
               xp::Matrix& outputs) const override {
    const Eigen::Index rows = std::max<Eigen::Index>(0, inputs.rows() - 1);
    outputs = xp::Matrix::Constant(rows, outputs_, 1.0 / double(outputs_)) * (1.0 + theta[0]);
  }

 private:
  xp::ParameterLayout layout_;
  Eigen::Index outputs_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context& context) {
  return std::make_unique<ShortRows>(context);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::model,
                                     .name = "short_rows",
                                     .version = "0.0.1",
                                     .summary = "a forward pass one row short",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
