// The datasets through the loader: shapes, values, determinism, and the mnist
// plugin on small IDX files written here, including every broken-file message.
#define BOOST_TEST_MODULE datasets
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numeric>

#include "exp/dataset.hpp"
#include "idx_files.hpp"
#include "test_support.hpp"

using xp::test::error_of;

namespace fs = std::filesystem;
using xp::PluginKind;
using xp::Split;
using xp::test::Bytes;

namespace {

std::shared_ptr<xp::Dataset> dataset(const std::string& name, const std::string& yaml = "{}",
                                     std::uint64_t seed = 42) {
  xp::Context context;
  context.seed = seed;
  return xp::test::make<xp::Dataset>(PluginKind::dataset, name, yaml, context);
}

xp::Batch all_of(const xp::Dataset& data, Split split) {
  std::vector<std::size_t> rows(data.size(split));
  std::iota(rows.begin(), rows.end(), 0);
  xp::Batch batch;
  data.gather(split, rows, batch);
  return batch;
}

void check_one_hot(const xp::Batch& batch, std::size_t classes) {
  BOOST_TEST(std::size_t(batch.targets.cols()) == classes);
  BOOST_TEST(batch.labels.size() == batch.size());
  for (std::size_t n = 0; n < batch.size(); ++n) {
    double sum = 0.0;
    for (Eigen::Index k = 0; k < batch.targets.cols(); ++k)
      sum += batch.targets(Eigen::Index(n), k);
    BOOST_TEST(sum == 1.0);
    BOOST_TEST(batch.targets(Eigen::Index(n), batch.labels[n]) == 1.0);
  }
}

// A folder of MNIST-named IDX files: 3 train and 2 test images of 2x2 pixels.
struct MnistFolder {
  fs::path dir = xp::test::fresh_directory("exp-mnist");
  Bytes train_pixels = {0, 51, 102, 255, 1, 2, 3, 4, 10, 20, 30, 40};
  Bytes train_labels = {7, 0, 9};
  Bytes test_pixels = {255, 255, 0, 0, 5, 6, 7, 8};
  Bytes test_labels = {3, 1};
  MnistFolder() { write(true); }
  void write(bool gzip) {
    auto put = gzip ? xp::test::write_gzip : xp::test::write_raw;
    const std::string suffix = gzip ? ".gz" : "";
    put(dir / ("train-images-idx3-ubyte" + suffix), xp::test::idx_content({3, 2, 2}, train_pixels));
    put(dir / ("train-labels-idx1-ubyte" + suffix), xp::test::idx_content({3}, train_labels));
    put(dir / ("t10k-images-idx3-ubyte" + suffix), xp::test::idx_content({2, 2, 2}, test_pixels));
    put(dir / ("t10k-labels-idx1-ubyte" + suffix), xp::test::idx_content({2}, test_labels));
  }
  std::string yaml(const std::string& options = "") const {
    return "{path: '" + dir.string() + "'" + options + "}";
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(none_is_one_empty_sample) {
  auto none = dataset("none");
  BOOST_TEST(none->size(Split::train) == 1u);
  BOOST_TEST(none->size(Split::test) == 0u);
  BOOST_TEST(none->input_size() == 0u);
  BOOST_TEST(none->output_size() == 1u);
  const auto batch = all_of(*none, Split::train);
  BOOST_TEST(batch.inputs.rows() == 1);
  BOOST_TEST(batch.inputs.cols() == 0);
  BOOST_TEST(batch.targets.rows() == 1);
  BOOST_TEST(batch.targets.cols() == 0);
  BOOST_TEST(batch.labels.empty());
}

BOOST_AUTO_TEST_CASE(inline_holds_the_configs_samples) {
  auto simple = dataset("inline", "{inputs: [0.6, 0.9], targets: [0, 0, 1], input_size: 2}");
  BOOST_TEST(simple->size(Split::train) == 1u);
  BOOST_TEST(simple->size(Split::test) == 1u);
  BOOST_TEST(simple->input_size() == 2u);
  BOOST_TEST(simple->output_size() == 3u);
  const auto batch = all_of(*simple, Split::train);
  BOOST_TEST(batch.inputs(0, 0) == 0.6);
  BOOST_TEST(batch.inputs(0, 1) == 0.9);
  BOOST_TEST(batch.targets(0, 2) == 1.0);
  BOOST_TEST(batch.labels == std::vector<int>{2}, boost::test_tools::per_element());

  auto two = dataset("inline",
                     "{inputs: [1, 2, 3, 4, 5, 6], targets: [0.5, 9, -1, 2, 7, 3], input_size: 2, "
                     "labels: [1, 0, 0]}");
  const auto rows = std::vector<std::size_t>{2, 0, 2};
  xp::Batch picked;
  two->gather(Split::test, rows, picked);
  BOOST_TEST(picked.inputs(0, 0) == 5.0);
  BOOST_TEST(picked.inputs(1, 1) == 2.0);
  BOOST_TEST(picked.targets(0, 0) == 7.0);
  BOOST_TEST(picked.targets(1, 1) == 9.0);
  // Given labels win over the targets' argmax.
  BOOST_TEST(picked.labels == (std::vector<int>{0, 1, 0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(inline_mistakes_point_at_the_key, *boost::unit_test::label("fault_config")) {
  BOOST_TEST(
      error_of([] { dataset("inline", "{inputs: [1, 2, 3], targets: [1], input_size: 2}"); }) ==
      "<test>:1:10: dataset.inputs: 3 values is not a whole number (>= 1) of samples of input_size "
      "2");
  BOOST_TEST(error_of([] {
               dataset("inline", "{inputs: [1, 2], targets: [1, 2, 3], input_size: 1}");
             }).find("dataset.targets: 3 values for 2 samples") != std::string::npos);
  BOOST_TEST(error_of([] {
               dataset("inline", "{inputs: [1, 2], targets: [1, 2], input_size: 1, labels: [0]}");
             }).find("dataset.labels: 1 labels for 2 samples") != std::string::npos);
  BOOST_TEST(error_of([] {
               dataset("inline", "{inputs: [1], targets: [0, 1], input_size: 1, labels: [2]}");
             }).find("dataset.labels: label 2 for targets of 2 values per sample; expected 0..1") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(random_is_uniform_seeded_data_without_labels) {
  auto random = dataset("random", "{samples: 100, input_size: 784, output_size: 10}");
  BOOST_TEST(random->size(Split::train) == 100u);
  BOOST_TEST(random->input_size() == 784u);
  BOOST_TEST(random->output_size() == 10u);
  const auto batch = all_of(*random, Split::train);
  BOOST_TEST(batch.inputs.rows() == 100);
  BOOST_TEST(batch.targets.cols() == 10);
  BOOST_TEST(batch.labels.empty());
  // Plain loops: Eigen's AVX-512 reductions trip a false -Wmaybe-uninitialized in GCC 12.
  const double* values = batch.inputs.data();
  const auto count = std::size_t(batch.inputs.size());
  BOOST_TEST(*std::min_element(values, values + count) >= 0.0);
  BOOST_TEST(*std::max_element(values, values + count) < 1.0);
  BOOST_TEST(std::abs(std::accumulate(values, values + count, 0.0) / double(count) - 0.5) <
             0.01);  // 78,400 draws
  const auto again =
      all_of(*dataset("random", "{samples: 100, input_size: 784, output_size: 10}"), Split::train);
  BOOST_TEST((again.inputs == batch.inputs));
  const auto other_seed = all_of(
      *dataset("random", "{samples: 100, input_size: 784, output_size: 10}", 7), Split::train);
  BOOST_TEST((other_seed.inputs != batch.inputs));
  const auto other_param =
      all_of(*dataset("random", "{samples: 100, input_size: 784, output_size: 10, seed: 1}"),
             Split::train);
  BOOST_TEST((other_param.inputs != batch.inputs));
}

BOOST_AUTO_TEST_CASE(synthetic_blobs_are_separable_and_deterministic) {
  const std::string yaml =
      "{kind: blobs, samples: 600, classes: 4, dimensions: 3, test_fraction: 0.25}";
  auto blobs = dataset("synthetic", yaml);
  BOOST_TEST(blobs->size(Split::train) == 450u);
  BOOST_TEST(blobs->size(Split::test) == 150u);
  BOOST_TEST(blobs->input_size() == 3u);
  BOOST_TEST(blobs->output_size() == 4u);
  const auto train = all_of(*blobs, Split::train), test = all_of(*blobs, Split::test);
  check_one_hot(train, 4);
  check_one_hot(test, 4);
  // Nearest class mean of the training split classifies every test sample correctly.
  xp::Matrix means = xp::Matrix::Zero(4, 3);
  std::vector<int> counts(4, 0);
  for (std::size_t n = 0; n < train.size(); ++n) {
    means.row(train.labels[n]) += train.inputs.row(Eigen::Index(n));
    counts[std::size_t(train.labels[n])] += 1;
  }
  for (int c = 0; c < 4; ++c) means.row(c) /= counts[std::size_t(c)];
  for (int c = 0; c < 4; ++c) BOOST_TEST(std::abs(counts[std::size_t(c)] - 112) <= 15);
  for (std::size_t n = 0; n < test.size(); ++n) {
    Eigen::Index nearest = 0;
    (means.rowwise() - test.inputs.row(Eigen::Index(n))).rowwise().squaredNorm().minCoeff(&nearest);
    BOOST_TEST(nearest == test.labels[n]);
  }
  BOOST_TEST((all_of(*dataset("synthetic", yaml), Split::train).inputs == train.inputs));
  BOOST_TEST((all_of(*dataset("synthetic", yaml, 43), Split::train).inputs != train.inputs));
}

BOOST_AUTO_TEST_CASE(synthetic_xor_labels_follow_the_quadrant) {
  auto xor_data = dataset("synthetic", "{kind: xor, samples: 400, noise: 0.1}");
  BOOST_TEST(xor_data->output_size() == 2u);
  const auto train = all_of(*xor_data, Split::train);
  BOOST_TEST(train.size() == 320u);
  check_one_hot(train, 2);
  for (std::size_t n = 0; n < train.size(); ++n) {
    const double x = train.inputs(Eigen::Index(n), 0), y = train.inputs(Eigen::Index(n), 1);
    BOOST_TEST(train.labels[n] == (x * y < 0 ? 1 : 0));
  }
}

BOOST_AUTO_TEST_CASE(synthetic_spirals_have_one_arm_per_class) {
  auto spirals = dataset("synthetic",
                         "{kind: spirals, samples: 300, classes: 3, noise: 0.0, test_fraction: 0}");
  const auto train = all_of(*spirals, Split::train);
  BOOST_TEST(train.size() == 300u);
  BOOST_TEST(spirals->size(Split::test) == 0u);
  check_one_hot(train, 3);
  std::vector<int> counts(3, 0);
  for (std::size_t n = 0; n < train.size(); ++n) {
    const double x = train.inputs(Eigen::Index(n), 0), y = train.inputs(Eigen::Index(n), 1);
    BOOST_TEST(x * x + y * y <= 1.0);
    counts[std::size_t(train.labels[n])] += 1;
  }
  BOOST_TEST(counts == (std::vector<int>{100, 100, 100}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(synthetic_mistakes_point_at_the_key,
                     *boost::unit_test::label("fault_config")) {
  BOOST_TEST(error_of([] { dataset("synthetic", "{kind: xor, classes: 3}"); }) ==
             "<test>:1:22: dataset.classes: xor data has 2 classes; found classes 3");
  BOOST_TEST(error_of([] {
               dataset("synthetic", "{kind: spirals, dimensions: 3}");
             }).find("dataset.dimensions: spirals data is 2-D") != std::string::npos);
  BOOST_TEST(error_of([] { dataset("synthetic", "{kind: moons}"); }).find("dataset.kind") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(mnist_reads_idx_files_like_load_mnist) {
  MnistFolder folder;
  for (bool gzip : {true, false}) {
    if (!gzip) {
      for (const auto& entry : fs::directory_iterator(folder.dir)) fs::remove(entry.path());
      folder.write(false);
    }
    auto normalized = dataset("mnist", folder.yaml(", one_hot_label: true"));
    BOOST_TEST(normalized->size(Split::train) == 3u);
    BOOST_TEST(normalized->size(Split::test) == 2u);
    BOOST_TEST(normalized->input_size() == 4u);
    BOOST_TEST(normalized->output_size() == 10u);
    const auto train = all_of(*normalized, Split::train);
    BOOST_TEST(train.inputs(0, 1) == 51 / 255.0);
    BOOST_TEST(train.inputs(0, 3) == 1.0);
    BOOST_TEST(train.labels == (std::vector<int>{7, 0, 9}), boost::test_tools::per_element());
    check_one_hot(train, 10);

    auto raw = dataset("mnist", folder.yaml(", normalize: false, flatten: true"));
    xp::Batch test;
    const std::vector<std::size_t> rows = {1, 0, 1};
    raw->gather(Split::test, rows, test);
    BOOST_TEST(test.inputs(0, 3) == 8.0);
    BOOST_TEST(test.inputs(1, 0) == 255.0);
    BOOST_TEST(test.targets.cols() == 1);  // label targets, the book's default
    BOOST_TEST(test.targets(0, 0) == 1.0);
    BOOST_TEST(test.targets(1, 0) == 3.0);
    BOOST_TEST(test.labels == (std::vector<int>{1, 3, 1}), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(mnist_missing_data_says_how_to_prepare_it,
                     *boost::unit_test::label("fault_data")) {
  const auto message = error_of([] { dataset("mnist", "{path: /nonexistent/mnist}"); });
  BOOST_TEST(message ==
             "<test>:1:8: dataset.path: folder '/nonexistent/mnist' does not exist; prepare the "
             "MNIST digits with scripts/prepare_data.sh, or point dataset.path at a folder of IDX "
             "files (Fashion-MNIST: /usr/share/datasets/fashion-mnist)");
  MnistFolder folder;
  fs::remove(folder.dir / "t10k-labels-idx1-ubyte.gz");
  BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                 .find("dataset.path: " + (folder.dir / "t10k-labels-idx1-ubyte").string() +
                       "[.gz] not found; prepare the MNIST digits with scripts/prepare_data.sh") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(mnist_broken_files_are_named_with_the_problem,
                     *boost::unit_test::label("fault_data")) {
  {  // truncated
    MnistFolder folder;
    const Bytes content = xp::test::idx_content({3, 2, 2}, folder.train_pixels);
    xp::test::write_gzip(folder.dir / "train-images-idx3-ubyte.gz",
                         Bytes(content.begin(), content.end() - 3));
    BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                   .find((folder.dir / "train-images-idx3-ubyte.gz").string() +
                         ": truncated: 9 of 12 data bytes for shape 3x2x2") != std::string::npos);
  }
  {  // wrong magic: a label file where the images should be
    MnistFolder folder;
    xp::test::write_gzip(folder.dir / "t10k-images-idx3-ubyte.gz",
                         xp::test::idx_content({2}, {1, 2}));
    BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                   .find((folder.dir / "t10k-images-idx3-ubyte.gz").string() +
                         ": shape 2, expected 3 dimensions (images x rows x columns)") !=
               std::string::npos);
    Bytes wrong = xp::test::idx_content({2, 2, 2}, folder.test_pixels);
    wrong[2] = 0x0c;
    xp::test::write_gzip(folder.dir / "t10k-images-idx3-ubyte.gz", wrong);
    BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                   .find((folder.dir / "t10k-images-idx3-ubyte.gz").string() +
                         ": magic number 0x00000c03") != std::string::npos);
  }
  {  // count mismatch
    MnistFolder folder;
    xp::test::write_gzip(folder.dir / "train-labels-idx1-ubyte.gz",
                         xp::test::idx_content({2}, {1, 2}));
    BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                   .find((folder.dir / "train-labels-idx1-ubyte.gz").string() +
                         ": 2 labels for the 3 images of " +
                         (folder.dir / "train-images-idx3-ubyte.gz").string()) !=
               std::string::npos);
  }
  {  // a label that is no digit
    MnistFolder folder;
    xp::test::write_gzip(folder.dir / "train-labels-idx1-ubyte.gz",
                         xp::test::idx_content({3}, {1, 12, 2}));
    BOOST_TEST(error_of([&] { dataset("mnist", folder.yaml()); })
                   .find((folder.dir / "train-labels-idx1-ubyte.gz").string() +
                         ": label 12 at index 1, expected 0..9") != std::string::npos);
  }
}
