// Anchors of the plugin interfaces (vtables and type information live in libexp,
// so dynamic_cast works across plugin libraries) and their default behaviour.
#include "exp/dataset.hpp"
#include "exp/error.hpp"
#include "exp/gradient.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/optimizer.hpp"
#include "exp/plugin.hpp"

namespace xp {

PluginObject::~PluginObject() = default;
Dataset::~Dataset() = default;
std::vector<std::filesystem::path> Dataset::files() const { return {}; }
Loss::~Loss() = default;
Model::~Model() = default;
LossDifferences::~LossDifferences() = default;
ShortcutCounts LossDifferences::counts() const { return {}; }
GradientMethod::~GradientMethod() = default;
Optimizer::~Optimizer() = default;

namespace {
constexpr std::string_view kKindWords[] = {"dataset", "model", "loss", "gradient", "optimizer"};
}

std::string_view to_string(PluginKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kKindWords) ? kKindWords[index] : std::string_view("unknown");
}

std::optional<PluginKind> plugin_kind_from_string(std::string_view word) {
  for (std::size_t i = 0; i < std::size(kKindWords); ++i) {
    if (kKindWords[i] == word) return static_cast<PluginKind>(i);
  }
  return std::nullopt;
}

double Loss::batch(const Matrix& outputs, const Batch& batch) const {
  const auto rows = std::size_t(outputs.rows());
  const auto width = std::size_t(outputs.cols());
  const auto target_width = std::size_t(batch.targets.cols());
  double sum = 0.0;
  for (std::size_t n = 0; n < rows; ++n) {
    const int label = batch.labels.empty() ? -1 : batch.labels[n];
    sum += sample({outputs.row(Eigen::Index(n)).data(), width},
                  {batch.targets.row(Eigen::Index(n)).data(), target_width}, label);
  }
  return rows == 0 ? 0.0 : sum / double(rows);
}

bool Loss::output_gradient(const Matrix&, const Batch&, Matrix&) const { return false; }

bool Model::backprop(const Vector&, const Batch&, const Loss&, Vector&) const { return false; }

bool Model::directional_derivative(const Vector&, const Batch&, const Loss&, const Vector&,
                                   double&) const {
  return false;
}

std::unique_ptr<LossDifferences> Model::loss_differences(const Vector&, const Batch&, const Loss&,
                                                         DifferenceSteps, ThreadPool&,
                                                         ProcessGroup&) const {
  return nullptr;
}

}  // namespace xp
