// The losses through the loader: the chapter's test vectors (DESIGN.md), label
// targets, and output gradients against hand-computed values.
#define BOOST_TEST_MODULE losses
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "exp/loss.hpp"
#include "test_support.hpp"

using xp::test::error_of;

using xp::PluginKind;

namespace {

// The chapter's softmax output y, argmax 2.
const std::vector<double> kY = {0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0};

std::vector<double> one_hot(int label) {
  std::vector<double> t(10, 0.0);
  t[std::size_t(label)] = 1.0;
  return t;
}

std::shared_ptr<xp::Loss> loss(const std::string& name, const std::string& yaml = "{}") {
  return xp::test::make<xp::Loss>(PluginKind::loss, name, yaml);
}

xp::Batch batch_of(const xp::Matrix& targets, std::vector<int> labels) {
  xp::Batch batch;
  batch.inputs.resize(targets.rows(), 0);
  batch.targets = targets;
  batch.labels = std::move(labels);
  return batch;
}

}  // namespace

BOOST_AUTO_TEST_CASE(mean_squared_error_matches_the_book) {
  auto mse = loss("mse");
  BOOST_TEST(mse->sample(kY, one_hot(2), 2) == 0.09750000000000003);
  BOOST_TEST(mse->sample(kY, one_hot(7), 7) == 0.5975);
  BOOST_TEST(int(mse->form()) == int(xp::LossForm::squared_error));
}

BOOST_AUTO_TEST_CASE(cross_entropy_matches_the_book_with_one_hot_and_label_targets) {
  auto ce = loss("cross_entropy");
  BOOST_TEST(ce->sample(kY, one_hot(2), 2) == 0.510825457099338);
  BOOST_TEST(ce->sample(kY, one_hot(7), 7) == 2.302584092994546);
  // A label target (one value per row, as load_mnist(one_hot_label=False)) uses the label.
  const std::vector<double> label_row = {2.0};
  BOOST_TEST(ce->sample(kY, label_row, 2) == 0.510825457099338);
  BOOST_TEST(ce->sample(kY, std::vector<double>{7.0}, 7) == 2.302584092994546);
  BOOST_TEST(int(ce->form()) == int(xp::LossForm::cross_entropy));
  BOOST_TEST(ce->epsilon() == 1e-7);
}

BOOST_AUTO_TEST_CASE(cross_entropy_epsilon_is_a_parameter) {
  auto ce = loss("cross_entropy", "{epsilon: 0.5}");
  BOOST_TEST(ce->epsilon() == 0.5);
  BOOST_TEST(ce->sample(kY, one_hot(3), 3) == -std::log(0.5));
}

BOOST_AUTO_TEST_CASE(batch_loss_is_the_mean_of_the_samples) {
  auto mse = loss("mse");
  xp::Matrix outputs(2, 10), targets(2, 10);
  for (int k = 0; k < 10; ++k) {
    outputs(0, k) = outputs(1, k) = kY[std::size_t(k)];
    targets(0, k) = one_hot(2)[std::size_t(k)];
    targets(1, k) = one_hot(7)[std::size_t(k)];
  }
  BOOST_TEST(mse->batch(outputs, batch_of(targets, {2, 7})) == (0.09750000000000003 + 0.5975) / 2);
}

BOOST_AUTO_TEST_CASE(cross_entropy_output_gradient_is_minus_t_over_y_plus_eps_over_b) {
  auto ce = loss("cross_entropy");
  xp::Matrix outputs(2, 3), targets(2, 3), gradient;
  outputs << 0.2, 0.3, 0.5, 0.6, 0.3, 0.1;
  targets << 0, 0, 1, 0.25, 0.75, 0;  // one-hot and soft targets
  BOOST_TEST(ce->output_gradient(outputs, batch_of(targets, {2, 1}), gradient));
  const double tolerance = 1e-15;
  BOOST_TEST(gradient(0, 0) == 0.0);
  BOOST_TEST(gradient(0, 2) == -1.0 / (0.5 + 1e-7) / 2, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(gradient(1, 0) == -0.25 / (0.6 + 1e-7) / 2, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(gradient(1, 1) == -0.75 / (0.3 + 1e-7) / 2, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(gradient(1, 2) == 0.0);

  // Label targets: only the label's column has a gradient.
  xp::Matrix labels(2, 1);
  labels << 2, 1;
  BOOST_TEST(ce->output_gradient(outputs, batch_of(labels, {2, 1}), gradient));
  BOOST_TEST(gradient.rows() == 2);
  BOOST_TEST(gradient.cols() == 3);
  BOOST_TEST(gradient(0, 2) == -1.0 / (0.5 + 1e-7) / 2, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(gradient(1, 1) == -1.0 / (0.3 + 1e-7) / 2, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(gradient(0, 0) == 0.0);
  BOOST_TEST(gradient(1, 2) == 0.0);
}

BOOST_AUTO_TEST_CASE(mse_output_gradient_is_y_minus_t_over_b) {
  auto mse = loss("mse");
  xp::Matrix outputs(2, 2), targets(2, 2), gradient;
  outputs << 0.5, 1.5, -1.0, 2.0;
  targets << 1.0, 1.0, 0.0, 0.0;
  BOOST_TEST(mse->output_gradient(outputs, batch_of(targets, {}), gradient));
  BOOST_TEST(gradient(0, 0) == -0.25);
  BOOST_TEST(gradient(0, 1) == 0.25);
  BOOST_TEST(gradient(1, 0) == -0.5);
  BOOST_TEST(gradient(1, 1) == 1.0);
  // Label targets count as one-hot rows.
  xp::Matrix labels(2, 1);
  labels << 1, 0;
  BOOST_TEST(mse->output_gradient(outputs, batch_of(labels, {1, 0}), gradient));
  BOOST_TEST(gradient(0, 1) == 0.25);
  BOOST_TEST(gradient(1, 0) == -1.0);
  BOOST_TEST(mse->sample(std::vector<double>{0.5, 1.5}, std::vector<double>{1.0}, 1) ==
             0.5 * (0.25 + 0.25));
}

BOOST_AUTO_TEST_CASE(output_gradients_agree_with_differences_of_the_batch_loss) {
  for (const char* name : {"mse", "cross_entropy"}) {
    auto l = loss(name);
    xp::Matrix outputs(2, 3), targets(2, 3), gradient;
    outputs << 0.2, 0.3, 0.5, 0.6, 0.3, 0.1;
    targets << 0, 0, 1, 0.25, 0.75, 0;
    const auto batch = batch_of(targets, {2, 1});
    l->output_gradient(outputs, batch, gradient);
    for (Eigen::Index n = 0; n < 2; ++n) {
      for (Eigen::Index k = 0; k < 3; ++k) {
        const double h = 1e-6;
        xp::Matrix up = outputs, down = outputs;
        up(n, k) += h;
        down(n, k) -= h;
        const double numeric = (l->batch(up, batch) - l->batch(down, batch)) / (2 * h);
        BOOST_TEST(gradient(n, k) == numeric, boost::test_tools::tolerance(1e-6));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(identity_loss_is_the_single_output_and_its_gradient_one_over_b) {
  auto identity = loss("identity");
  BOOST_TEST(identity->sample(std::vector<double>{-2.5}, std::vector<double>{}, -1) == -2.5);
  xp::Matrix outputs(4, 1), gradient;
  outputs << 1, 2, 3, 4;
  xp::Batch batch;
  batch.inputs.resize(4, 0);
  batch.targets.resize(4, 0);
  BOOST_TEST(identity->batch(outputs, batch) == 2.5);
  BOOST_TEST(identity->output_gradient(outputs, batch, gradient));
  BOOST_TEST(gradient.cols() == 1);
  for (Eigen::Index n = 0; n < 4; ++n) BOOST_TEST(gradient(n, 0) == 0.25);
}

BOOST_AUTO_TEST_CASE(mistakes_are_reported, *boost::unit_test::label("fault_config")) {
  auto identity = loss("identity");
  BOOST_TEST(
      error_of([&] { identity->sample(kY, {}, -1); }) ==
      "identity loss: the model has 10 outputs, expected 1 (a function model such as polynomial)");
  auto ce = loss("cross_entropy");
  BOOST_TEST(error_of([&] { ce->sample(kY, std::vector<double>{12.0}, 12); }) ==
             "cross_entropy loss: a target row of 1 values for an output of 10 needs a label in "
             "0..9, found 12");
  BOOST_TEST(error_of([&] { loss("cross_entropy", "{epsilon: -1}"); }).find("loss.epsilon") !=
             std::string::npos);
}
