// Tiny data written in the config itself, such as the book's simpleNet example
// (x = [0.6, 0.9], t = [0, 0, 1]). The same samples serve as train and test split.
#include <algorithm>
#include <string>

#include "exp/error.hpp"
#include "exp/in_memory_dataset.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "inputs",
     .type = xp::ParameterType::reals,
     .meaning = "input values of all samples, row-major (samples x input_size values)"},
    {.name = "targets",
     .type = xp::ParameterType::reals,
     .meaning = "target values of all samples, row-major (samples x target width values)"},
    {.name = "input_size",
     .type = xp::ParameterType::integer,
     .meaning = "features per sample",
     .minimum = 1},
    {.name = "labels",
     .type = xp::ParameterType::integers,
     .default_value = "[]",
     .meaning = "class of each sample; empty: the argmax of each target row",
     .minimum = 0},
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  const auto inputs = parameters.reals("inputs");
  const auto targets = parameters.reals("targets");
  const auto input_size = std::size_t(parameters.integer("input_size"));
  auto labels = parameters.integers("labels");

  if (inputs.empty() || inputs.size() % input_size != 0) {
    throw xp::ParameterError("inputs",
                             std::to_string(inputs.size()) +
                                 " values is not a whole number (>= 1) of samples of input_size " +
                                 std::to_string(input_size));
  }
  const std::size_t samples = inputs.size() / input_size;
  if (targets.empty() || targets.size() % samples != 0) {
    throw xp::ParameterError(
        "targets", std::to_string(targets.size()) + " values for " + std::to_string(samples) +
                       " samples; expected the same number of values per sample");
  }
  const std::size_t width = targets.size() / samples;
  if (!labels.empty() && labels.size() != samples) {
    throw xp::ParameterError("labels", std::to_string(labels.size()) + " labels for " +
                                           std::to_string(samples) + " samples");
  }
  for (const auto label : labels) {
    // A label names an output of the model, which has one output per target value.
    if (std::size_t(label) >= width) {
      throw xp::ParameterError(
          "labels", "label " + std::to_string(label) + " for targets of " + std::to_string(width) +
                        " values per sample; expected 0.." + std::to_string(width - 1));
    }
  }

  xp::Batch data;
  data.inputs = xp::ConstMatrixMap(inputs.data(), Eigen::Index(samples), Eigen::Index(input_size));
  data.targets = xp::ConstMatrixMap(targets.data(), Eigen::Index(samples), Eigen::Index(width));
  for (std::size_t n = 0; n < samples; ++n) {
    if (labels.empty()) {
      const auto row = targets.begin() + std::ptrdiff_t(n * width);
      data.labels.push_back(int(std::max_element(row, row + std::ptrdiff_t(width)) - row));
    } else {
      data.labels.push_back(int(labels[n]));
    }
  }
  xp::Batch test = data;
  return std::make_unique<xp::InMemoryDataset>(std::move(data), std::move(test), input_size, width);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::dataset,
      .name = "inline",
      .version = "1.0.0",
      .summary = "a few samples written in the config (train = test)",
      .parameters = kParameters,
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
