// No data, for the calculus listings: a function model of its own parameters needs
// one evaluation per loss, so the train split is one sample with no features (and
// no labels: accuracy is skipped), the test split is empty, and the model has one
// output (the function's value).
#include "exp/in_memory_dataset.hpp"

namespace {

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  xp::Batch train;
  train.inputs.resize(1, 0);
  train.targets.resize(1, 0);
  xp::Batch test;
  return std::make_unique<xp::InMemoryDataset>(std::move(train), std::move(test), 0, 1);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::dataset,
                                     .name = "none",
                                     .version = "1.0.0",
                                     .summary = "no data: one empty sample, for function models",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
