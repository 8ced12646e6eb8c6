// The mnist plugin on the real data: the digits prepared by scripts/prepare_data.sh
// (data/mnist, 8,000 / 2,000) and Fashion-MNIST from its Debian package (60,000 /
// 10,000). Missing data FAILS with what to do: the test command prepares it first.
#define BOOST_TEST_MODULE mnist data
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <numeric>

#include "exp/dataset.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::PluginKind;
using xp::Split;

namespace {

const fs::path kDigits = fs::path(EXP_TEST_SOURCE_DIR) / "data" / "mnist";
const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::shared_ptr<xp::Dataset> load(const fs::path& path, const std::string& options = "") {
  return xp::test::make<xp::Dataset>(PluginKind::dataset, "mnist",
                                     "{path: '" + path.string() + "'" + options + "}");
}

// Gathered a thousand rows at a time: a whole split as doubles would be 376 MB.
std::vector<int> label_counts(const xp::Dataset& data, Split split) {
  std::vector<int> counts(10, 0);
  xp::Batch batch;
  for (std::size_t begin = 0; begin < data.size(split); begin += 1000) {
    std::vector<std::size_t> rows(std::min<std::size_t>(1000, data.size(split) - begin));
    std::iota(rows.begin(), rows.end(), begin);
    data.gather(split, rows, batch);
    for (int label : batch.labels) counts[std::size_t(label)] += 1;
  }
  return counts;
}

// Resident memory of this process in kB (Linux), for the compact-storage check.
long resident_kb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prepared_digits_are_8000_train_2000_test_stratified) {
  if (!fs::exists(kDigits / "train-images-idx3-ubyte.gz")) {
    BOOST_FAIL(kDigits.string() +
               " is missing: run scripts/prepare_data.sh (scripts/test.sh does)");
  }
  auto digits = load(kDigits, ", one_hot_label: true");
  BOOST_TEST(digits->size(Split::train) == 8000u);
  BOOST_TEST(digits->size(Split::test) == 2000u);
  BOOST_TEST(digits->input_size() == 784u);
  BOOST_TEST(digits->output_size() == 10u);
  const std::vector<int> package = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  const std::vector<int> test = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};  // 20 % each
  const auto train_counts = label_counts(*digits, Split::train);
  const auto test_counts = label_counts(*digits, Split::test);
  BOOST_TEST(test_counts == test, boost::test_tools::per_element());
  for (std::size_t d = 0; d < 10; ++d) BOOST_TEST(train_counts[d] + test_counts[d] == package[d]);

  // Shuffled, not sorted by digit: the first hundred training images hold every digit.
  std::vector<std::size_t> first(100);
  std::iota(first.begin(), first.end(), 0);
  xp::Batch batch;
  digits->gather(Split::train, first, batch);
  std::vector<int> seen(10, 0);
  for (int label : batch.labels) seen[std::size_t(label)] = 1;
  BOOST_TEST(std::accumulate(seen.begin(), seen.end(), 0) == 10);
  // Real digits: normalised pixels in [0, 1], about a fifth of them ink.
  // Plain loops: Eigen's AVX-512 reductions trip a false -Wmaybe-uninitialized in GCC 12.
  const double* pixels = batch.inputs.data();
  const auto count = std::size_t(batch.inputs.size());
  BOOST_TEST(*std::min_element(pixels, pixels + count) == 0.0);
  BOOST_TEST(*std::max_element(pixels, pixels + count) == 1.0);
  const double ink =
      double(std::count_if(pixels, pixels + count, [](double p) { return p > 0; })) / double(count);
  BOOST_TEST(ink > 0.1);
  BOOST_TEST(ink < 0.3);
}

BOOST_AUTO_TEST_CASE(fashion_mnist_is_read_in_place_and_kept_compact) {
  if (!fs::exists(kFashion / "train-images-idx3-ubyte.gz")) {
    BOOST_FAIL(kFashion.string() +
               " is missing: install the Debian package dataset-fashion-mnist "
               "(scripts/setup.sh does)");
  }
  const long before = resident_kb();
  auto fashion = load(kFashion);
  const long after = resident_kb();
  BOOST_TEST(fashion->size(Split::train) == 60000u);
  BOOST_TEST(fashion->size(Split::test) == 10000u);
  BOOST_TEST(fashion->input_size() == 784u);
  // 70,000 x 784 bytes is 55 MB; as doubles it would be 439 MB.
#ifdef EXP_SANITIZED
  // Under AddressSanitizer resident memory also holds shadow memory and the
  // quarantine of freed blocks (up to 256 MB), so the bound says nothing there;
  // the normal build checks it.
  (void)before;
  (void)after;
#else
  BOOST_TEST(after - before < 128 * 1024);
#endif
  const auto train_counts = label_counts(*fashion, Split::train);
  const auto test_counts = label_counts(*fashion, Split::test);
  for (std::size_t c = 0; c < 10; ++c) {
    BOOST_TEST(train_counts[c] == 6000);
    BOOST_TEST(test_counts[c] == 1000);
  }
}
