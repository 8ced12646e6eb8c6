// xp::batch_loss, the loss a run records after each step: its forward pass runs in
// blocks of rows on the pool. On real MNIST digits through the mlp plugin it is the
// full evaluation's loss (the definition, Objective::loss) for batches that are
// shorter than, equal to and longer than a block, with the same bits on any number of
// threads. (A model whose forward pass returns the wrong shape: plugin_loader_test,
// with the short_rows test plugin.)
#define BOOST_TEST_MODULE mlp batch loss
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "exp/error.hpp"
#include "exp/metrics.hpp"
#include "network_setting.hpp"

using xp::test::NetworkSetting;

namespace {

double full_evaluation(const NetworkSetting& setting) {
  xp::ThreadPool pool(1);
  const xp::Objective objective(*setting.model, *setting.loss, setting.batch, pool);
  return objective.loss(setting.theta);
}

double in_blocks(const NetworkSetting& setting, unsigned threads) {
  xp::ThreadPool pool(threads);
  return xp::batch_loss(*setting.model, *setting.loss, setting.theta, setting.batch, pool);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_full_evaluations_loss_on_any_number_of_threads) {
  const auto cross_entropy = xp::test::make<xp::Loss>(xp::PluginKind::loss, "cross_entropy");
  for (const std::size_t samples : {1, 31, 32, 63, 64, 65, 100, 129}) {
    const NetworkSetting setting("mnist", xp::test::mnist_yaml(), "{hidden: [50]}", cross_entropy,
                                 samples);
    const double definition = full_evaluation(setting);
    const double one_thread = in_blocks(setting, 1);
    BOOST_TEST_CONTEXT(samples << " samples") {
      BOOST_TEST(std::abs(one_thread - definition) <= 1e-15 * definition);
      for (const unsigned threads : {2u, 3u}) {
        BOOST_TEST(in_blocks(setting, threads) == one_thread);  // bit for bit
      }
    }
  }
}
