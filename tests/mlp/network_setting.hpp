// A network, a loss and one batch of a real dataset, all through the real loader,
// for the mlp tests: gradients by any gradient plugin, and max-norm comparisons.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "exp/dataset.hpp"
#include "exp/gradient.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "test_support.hpp"

namespace xp::test {

struct NetworkSetting {
  // dataset: name and parameters; model: the mlp's parameters; the first `samples`
  // rows of the train split form the batch; theta from the model's initialisation.
  NetworkSetting(const std::string& dataset_name, const std::string& dataset_yaml,
                 const std::string& model_yaml, std::shared_ptr<Loss> loss_function,
                 std::size_t samples, std::uint64_t seed = 42)
      : loss(std::move(loss_function)) {
    Context data_context;
    data_context.seed = seed;
    dataset = make<Dataset>(PluginKind::dataset, dataset_name, dataset_yaml, data_context);
    std::vector<std::size_t> rows(samples);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    dataset->gather(Split::train, rows, batch);
    Context context;
    context.input_size = dataset->input_size();
    context.output_size = dataset->output_size();
    model = make<Model>(PluginKind::model, "mlp", model_yaml, context);
    theta.resize(Eigen::Index(model->layout().size()));
    Random rng(seed);
    model->initialize(theta, rng);
  }

  // The gradient of a gradient plugin ("central_difference", "{strategy: naive}").
  Vector gradient(const std::string& method, const std::string& yaml = "{}",
                  unsigned threads = 1) const {
    ThreadPool pool(threads);
    const Objective objective(*model, *loss, batch, pool);
    auto plugin = make<GradientMethod>(PluginKind::gradient, method, yaml);
    Random random(step_random_seed(42, 0));
    Vector result;
    plugin->compute(objective, theta, {0, random}, result);
    return result;
  }

  std::shared_ptr<Dataset> dataset;
  std::shared_ptr<Model> model;
  std::shared_ptr<Loss> loss;
  Batch batch;
  Vector theta;
};

// The book's MNIST digits (scripts/prepare_data.sh); a missing folder is a failure
// that says what to run, never a silent skip.
inline std::string mnist_yaml(bool normalize = true) {
  const std::filesystem::path folder = std::filesystem::path(EXP_TEST_SOURCE_DIR) / "data/mnist";
  if (!std::filesystem::exists(folder / "train-images-idx3-ubyte.gz") &&
      !std::filesystem::exists(folder / "train-images-idx3-ubyte")) {
    throw std::runtime_error(folder.string() +
                             " has no MNIST training images: run scripts/prepare_data.sh first");
  }
  return "{path: '" + folder.string() + "', normalize: " + (normalize ? "true" : "false") +
         ", one_hot_label: true}";
}

// max_i |x_i - y_i| and max(1, max_i |y_i|): tolerances are relative to the latter.
inline double max_difference(const Vector& x, const Vector& y) {
  return (x - y).cwiseAbs().maxCoeff();
}
inline double scale_of(const Vector& g) { return std::max(1.0, g.cwiseAbs().maxCoeff()); }

}  // namespace xp::test
