// The chapter's calculus setting for the tests: the `none` dataset's single empty
// sample, a polynomial function model and the identity loss, through the real loader.
#pragma once

#include <memory>
#include <string>

#include "exp/dataset.hpp"
#include "exp/gradient.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "test_support.hpp"

namespace xp::test {

struct FunctionSetting {
  // model_yaml: the polynomial's parameters ("{coefficients: [0, 0, 1], start: [3, 4]}").
  explicit FunctionSetting(const std::string& model_yaml, unsigned threads = 1) : pool(threads) {
    dataset = make<Dataset>(PluginKind::dataset, "none");
    const std::size_t rows[] = {0};
    dataset->gather(Split::train, rows, batch);
    Context context;
    context.input_size = dataset->input_size();
    context.output_size = dataset->output_size();
    model = make<Model>(PluginKind::model, "polynomial", model_yaml, context);
    loss = make<Loss>(PluginKind::loss, "identity");
    theta.resize(Eigen::Index(model->layout().size()));
    Random rng(42);
    model->initialize(theta, rng);
  }
  Objective objective() const { return Objective(*model, *loss, batch, pool); }

  // The gradient of a gradient plugin ("central_difference", "{h: 1e-4}") at theta.
  Vector gradient(const std::string& method, const std::string& yaml = "{}") {
    auto plugin = make<GradientMethod>(PluginKind::gradient, method, yaml);
    Random random(step_random_seed(42, 0));
    Vector result;
    plugin->compute(objective(), theta, {0, random}, result);
    return result;
  }

  mutable ThreadPool pool;
  std::shared_ptr<Dataset> dataset;
  std::shared_ptr<Model> model;
  std::shared_ptr<Loss> loss;
  Batch batch;
  Vector theta;
};

}  // namespace xp::test
