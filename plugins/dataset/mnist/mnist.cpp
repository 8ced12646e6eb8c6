// MNIST-format datasets from standard IDX files (gzipped or raw) in a folder, with
// the options of the book's load_mnist. Pixels stay bytes in memory (the 70,000
// Fashion-MNIST images take 55 MB, not the 440 MB of doubles) and become doubles
// only for the rows a batch asks for.
#include <filesystem>
#include <string>
#include <vector>

#include "exp/dataset.hpp"
#include "exp/error.hpp"
#include "exp/idx.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kClasses = 10;
constexpr const char* kPrepare =
    "prepare the MNIST digits with scripts/prepare_data.sh, or point dataset.path at a folder "
    "of IDX files (Fashion-MNIST: /usr/share/datasets/fashion-mnist)";

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "path",
     .type = xp::ParameterType::path,
     .default_value = "data/mnist",
     .meaning = "folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each .gz or raw); relative to "
                "the current directory, recorded absolute"},
    {.name = "normalize",
     .type = xp::ParameterType::boolean,
     .default_value = "true",
     .meaning = "pixels as value / 255.0 in [0, 1]; false: raw 0..255 (the book's default: true)"},
    {.name = "one_hot_label",
     .type = xp::ParameterType::boolean,
     .default_value = "false",
     .meaning = "targets as one-hot rows of 10; false: the label as one value (the book's "
                "default); labels are always given"},
    {.name = "flatten",
     .type = xp::ParameterType::boolean,
     .default_value = "true",
     .meaning = "samples as rows of 784 pixels; accepted for the book's signature, but a batch "
                "is always a matrix of flat rows, so false gives the same data"},
};

struct Split {
  std::vector<std::uint8_t> pixels;  // samples x pixels_per_image, row-major
  std::vector<std::uint8_t> labels;
};

// The file `base` or `base.gz` in folder; gzipped first, as distributed.
fs::path find_file(const fs::path& folder, const std::string& base) {
  for (const fs::path& candidate : {folder / (base + ".gz"), folder / base}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw xp::ParameterError("path", (folder / base).string() + "[.gz] not found; " + kPrepare);
}

Split read_split(const fs::path& folder, const std::string& prefix, std::size_t& pixels_per_image,
                 std::vector<fs::path>& files) {
  const fs::path images_file = find_file(folder, prefix + "-images-idx3-ubyte");
  const fs::path labels_file = find_file(folder, prefix + "-labels-idx1-ubyte");
  files.push_back(images_file);
  files.push_back(labels_file);
  xp::IdxArray images = xp::read_idx(images_file);
  xp::IdxArray labels = xp::read_idx(labels_file);
  if (images.dims.size() != 3) {
    throw xp::Error(images_file.string() + ": shape " + images.shape() +
                    ", expected 3 dimensions (images x rows x columns)");
  }
  if (labels.dims.size() != 1) {
    throw xp::Error(labels_file.string() + ": shape " + labels.shape() +
                    ", expected 1 dimension (labels)");
  }
  if (images.dims[0] != labels.dims[0]) {
    throw xp::Error(labels_file.string() + ": " + std::to_string(labels.dims[0]) +
                    " labels for the " + std::to_string(images.dims[0]) + " images of " +
                    images_file.string());
  }
  const std::size_t size = images.dims[1] * images.dims[2];
  if (pixels_per_image != 0 && size != pixels_per_image) {
    throw xp::Error(images_file.string() + ": images of " + std::to_string(images.dims[1]) + "x" +
                    std::to_string(images.dims[2]) + " pixels, but the train images have " +
                    std::to_string(pixels_per_image));
  }
  pixels_per_image = size;
  for (std::size_t n = 0; n < labels.bytes.size(); ++n) {
    if (labels.bytes[n] >= kClasses) {
      throw xp::Error(labels_file.string() + ": label " + std::to_string(labels.bytes[n]) +
                      " at index " + std::to_string(n) + ", expected 0..9");
    }
  }
  return Split{std::move(images.bytes), std::move(labels.bytes)};
}

class Mnist final : public xp::Dataset {
 public:
  Mnist(const fs::path& folder, bool normalize, bool one_hot_label)
      : normalize_(normalize), one_hot_label_(one_hot_label) {
    if (fs::exists(folder) && !fs::is_directory(folder)) {
      throw xp::ParameterError("path", "'" + folder.string() +
                                           "' is a file; expected the folder that holds the IDX "
                                           "files (train-images-idx3-ubyte[.gz], ...)");
    }
    if (!fs::is_directory(folder)) {
      throw xp::ParameterError("path",
                               "folder '" + folder.string() + "' does not exist; " + kPrepare);
    }
    train_ = read_split(folder, "train", pixels_per_image_, files_);
    test_ = read_split(folder, "t10k", pixels_per_image_, files_);
  }

  std::vector<fs::path> files() const override { return files_; }

  std::size_t size(xp::Split split) const override { return of(split).labels.size(); }
  std::size_t input_size() const override { return pixels_per_image_; }
  std::size_t output_size() const override { return kClasses; }

  void gather(xp::Split which, std::span<const std::size_t> rows, xp::Batch& batch) const override {
    const Split& split = of(which);
    const auto count = Eigen::Index(rows.size());
    const auto width = Eigen::Index(pixels_per_image_);
    batch.inputs.resize(count, width);
    batch.targets.setZero(count, one_hot_label_ ? Eigen::Index(kClasses) : 1);
    batch.labels.resize(rows.size());
    for (Eigen::Index n = 0; n < count; ++n) {
      const std::size_t row = rows[std::size_t(n)];
      if (row >= split.labels.size()) {
        throw xp::Error("mnist dataset: row " + std::to_string(row) +
                        " requested from a split of " + std::to_string(split.labels.size()) +
                        " images");
      }
      const std::uint8_t* pixels = split.pixels.data() + row * pixels_per_image_;
      double* out = batch.inputs.row(n).data();
      for (Eigen::Index j = 0; j < width; ++j)
        out[j] = normalize_ ? pixels[j] / 255.0 : double(pixels[j]);
      const int label = split.labels[row];
      batch.labels[std::size_t(n)] = label;
      if (one_hot_label_) {
        batch.targets(n, label) = 1.0;
      } else {
        batch.targets(n, 0) = double(label);
      }
    }
  }

 private:
  const Split& of(xp::Split which) const { return which == xp::Split::train ? train_ : test_; }

  bool normalize_;
  bool one_hot_label_;
  std::size_t pixels_per_image_ = 0;
  std::vector<fs::path> files_;  // the IDX files read, train before test
  Split train_;
  Split test_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Mnist>(parameters.text("path"), parameters.boolean("normalize"),
                                 parameters.boolean("one_hot_label"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::dataset,
                                     .name = "mnist",
                                     .version = "1.0.0",
                                     .summary =
                                         "MNIST / Fashion-MNIST from IDX files (.gz or raw), "
                                         "like the book's load_mnist",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
