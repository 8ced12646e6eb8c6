// Seeded generated classification data, to watch a network learn something small:
//  - blobs: one Gaussian blob per class around well separated centres (linearly
//    separable in practice: neighbouring centres are 4 apart, 20 noise deviations
//    at the default noise);
//  - xor: 2-D points around the four corners (+-1, +-1), class 1 where the signs
//    differ: the classic problem no linear model solves;
//  - spirals: 2-D, one spiral arm per class (the CS231n toy problem).
// Samples are dealt to classes in turn (balanced), shuffled, and the last
// test_fraction of them form the test split. Targets are one-hot, labels filled.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "exp/error.hpp"
#include "exp/in_memory_dataset.hpp"
#include "exp/one_hot.hpp"
#include "exp/random.hpp"
#include "exp/seed.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "kind",
     .type = xp::ParameterType::text,
     .default_value = "blobs",
     .meaning = "blobs: Gaussian blobs (linearly separable); xor: 2-D XOR of four corners; "
                "spirals: 2-D interleaved spiral arms",
     .choices = "blobs|xor|spirals"},
    {.name = "samples",
     .type = xp::ParameterType::integer,
     .default_value = "1000",
     .meaning = "total samples, train and test together",
     .minimum = 2},
    {.name = "classes",
     .type = xp::ParameterType::integer,
     .default_value = "2",
     .meaning = "number of classes (blobs, spirals: arms; xor: must be 2)",
     .minimum = 2,
     .maximum = 1000},
    {.name = "dimensions",
     .type = xp::ParameterType::integer,
     .default_value = "2",
     .meaning = "features per sample (blobs; xor and spirals are 2-D)",
     .minimum = 1,
     .maximum = 100000},
    {.name = "noise",
     .type = xp::ParameterType::real,
     .default_value = "0.2",
     .meaning = "standard deviation of the Gaussian noise added to every coordinate",
     .minimum = 0.0},
    {.name = "test_fraction",
     .type = xp::ParameterType::real,
     .default_value = "0.2",
     .meaning = "share of the samples held out as the test split",
     .minimum = 0.0,
     .maximum = 1.0,
     .maximum_inclusive = false},
    {.name = "seed",
     .type = xp::ParameterType::integer,
     .default_value = "0",
     .meaning = "combined with the experiment's seed",
     .minimum = 0},
};

enum class Kind { blobs, xor_corners, spirals };

struct Settings {
  Kind kind;
  std::size_t samples;
  std::size_t classes;
  std::size_t dimensions;
  double noise;
};

// Centre of a blob: evenly spaced on a circle in the first two dimensions with
// neighbours 4 apart (on a line for one dimension), so that the classes' Voronoi
// cells, which a linear classifier can represent, hold their blobs.
std::vector<double> blob_centre(std::size_t label, const Settings& s) {
  std::vector<double> centre(s.dimensions, 0.0);
  constexpr double kSpacing = 4.0;
  if (s.dimensions == 1) {
    centre[0] = kSpacing * double(label);
    return centre;
  }
  const double step = 2.0 * std::numbers::pi / double(s.classes);
  const double radius = s.classes == 2 ? kSpacing / 2.0 : kSpacing / (2.0 * std::sin(step / 2.0));
  centre[0] = radius * std::cos(step * double(label));
  centre[1] = radius * std::sin(step * double(label));
  return centre;
}

// Sample `index_in_class` of `per_class` in class `label`: its noise-free position.
std::vector<double> clean_point(std::size_t label, std::size_t index_in_class,
                                std::size_t per_class, const Settings& s) {
  switch (s.kind) {
    case Kind::blobs:
      return blob_centre(label, s);
    case Kind::xor_corners: {
      // Class 0 takes corners (+,+) and (-,-), class 1 (+,-) and (-,+), alternately.
      const bool second_corner = index_in_class % 2 == 1;
      const double x = second_corner ? -1.0 : 1.0;
      const double y = (label == 0) == second_corner ? -1.0 : 1.0;
      return {x, y};
    }
    case Kind::spirals: {
      const double t = (double(index_in_class) + 0.5) / double(per_class);  // 0..1 along the arm
      const double angle =
          2.0 * std::numbers::pi * double(label) / double(s.classes) + 1.5 * std::numbers::pi * t;
      return {t * std::cos(angle), t * std::sin(angle)};
    }
  }
  return {};
}

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters,
                                         const xp::Context& context) {
  const std::string& kind = parameters.text("kind");
  Settings s{.kind = kind == "xor"       ? Kind::xor_corners
                     : kind == "spirals" ? Kind::spirals
                                         : Kind::blobs,
             .samples = std::size_t(parameters.integer("samples")),
             .classes = std::size_t(parameters.integer("classes")),
             .dimensions = std::size_t(parameters.integer("dimensions")),
             .noise = parameters.real("noise")};
  if (s.kind != Kind::blobs && s.dimensions != 2) {
    throw xp::ParameterError(
        "dimensions", kind + " data is 2-D; found dimensions " + std::to_string(s.dimensions));
  }
  if (s.kind == Kind::xor_corners && s.classes != 2) {
    throw xp::ParameterError("classes",
                             "xor data has 2 classes; found classes " + std::to_string(s.classes));
  }
  const auto test_count =
      std::size_t(std::llround(parameters.real("test_fraction") * double(s.samples)));
  if (test_count >= s.samples) {
    throw xp::ParameterError("test_fraction",
                             "leaves no training samples out of " + std::to_string(s.samples));
  }

  xp::Random rng(xp::derive_seed(context.seed, std::uint64_t(parameters.integer("seed"))));
  // Labels dealt in turn: sample i has class i % classes, index i / classes within it.
  std::vector<std::size_t> order(s.samples);
  for (std::size_t i = 0; i < s.samples; ++i) order[i] = i;
  for (std::size_t i = s.samples - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);

  xp::Matrix inputs(Eigen::Index(s.samples), Eigen::Index(s.dimensions));
  std::vector<int> labels(s.samples);
  for (std::size_t position = 0; position < s.samples; ++position) {
    const std::size_t i = order[position];
    const std::size_t label = i % s.classes;
    const std::size_t per_class = (s.samples - label + s.classes - 1) / s.classes;
    const auto point = clean_point(label, i / s.classes, per_class, s);
    for (std::size_t j = 0; j < s.dimensions; ++j) {
      inputs(Eigen::Index(position), Eigen::Index(j)) = point[j] + s.noise * rng.normal();
    }
    labels[position] = int(label);
  }

  const std::size_t train_count = s.samples - test_count;
  auto split = [&](std::size_t begin, std::size_t count) {
    xp::Batch batch;
    batch.inputs = inputs.middleRows(Eigen::Index(begin), Eigen::Index(count));
    batch.labels.assign(labels.begin() + std::ptrdiff_t(begin),
                        labels.begin() + std::ptrdiff_t(begin + count));
    xp::one_hot(batch.labels, s.classes, batch.targets);
    return batch;
  };
  return std::make_unique<xp::InMemoryDataset>(
      split(0, train_count), split(train_count, test_count), s.dimensions, s.classes);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::dataset,
      .name = "synthetic",
      .version = "1.0.0",
      .summary = "seeded toy classification data: Gaussian blobs, XOR, spirals",
      .parameters = kParameters,
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
