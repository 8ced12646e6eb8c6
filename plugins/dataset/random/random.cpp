// Uniform random inputs and targets in [0, 1), like np.random.rand: for listings
// that only show shapes (the book's TwoLayerNet with x = rand(100, 784), t =
// rand(100, 10)). Targets are not classes, so there are no labels (no accuracy).
// The same samples serve as train and test split.
#include "exp/random.hpp"

#include "exp/in_memory_dataset.hpp"
#include "exp/seed.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "samples",
     .type = xp::ParameterType::integer,
     .default_value = "100",
     .meaning = "number of samples",
     .minimum = 1},
    {.name = "input_size",
     .type = xp::ParameterType::integer,
     .default_value = "784",
     .meaning = "features per sample",
     .minimum = 1},
    {.name = "output_size",
     .type = xp::ParameterType::integer,
     .default_value = "10",
     .meaning = "target values per sample",
     .minimum = 1},
    {.name = "seed",
     .type = xp::ParameterType::integer,
     .default_value = "0",
     .meaning = "combined with the experiment's seed",
     .minimum = 0},
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters,
                                         const xp::Context& context) {
  const auto samples = Eigen::Index(parameters.integer("samples"));
  const auto input_size = Eigen::Index(parameters.integer("input_size"));
  const auto output_size = Eigen::Index(parameters.integer("output_size"));
  xp::Random rng(xp::derive_seed(context.seed, std::uint64_t(parameters.integer("seed"))));

  // Drawn row by row, inputs first, so the values do not depend on Eigen's storage order.
  xp::Batch data;
  data.inputs.resize(samples, input_size);
  data.targets.resize(samples, output_size);
  for (Eigen::Index n = 0; n < samples; ++n) {
    for (Eigen::Index j = 0; j < input_size; ++j) data.inputs(n, j) = rng.uniform();
  }
  for (Eigen::Index n = 0; n < samples; ++n) {
    for (Eigen::Index k = 0; k < output_size; ++k) data.targets(n, k) = rng.uniform();
  }
  xp::Batch test = data;
  return std::make_unique<xp::InMemoryDataset>(std::move(data), std::move(test),
                                               std::size_t(input_size), std::size_t(output_size));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::dataset,
      .name = "random",
      .version = "1.0.0",
      .summary = "uniform [0, 1) inputs and targets (np.random.rand), seeded",
      .parameters = kParameters,
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
