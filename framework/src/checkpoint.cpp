#include "exp/checkpoint.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "exp/error.hpp"
#include "exp/sha256.hpp"

namespace xp {
namespace fs = std::filesystem;

namespace {

static_assert(std::endian::native == std::endian::little,
              "checkpoints store numbers as little-endian bytes");

// "EXPCKPT" and the format's version: a new field is a new version. Version 2: the
// run's identity after the magic, the SHA-256 of everything before it at the end.
// Version 3: the gradient method's state, the evaluations spent, the quality sums.
constexpr char kMagic[8] = {'E', 'X', 'P', 'C', 'K', 'P', 'T', '3'};
constexpr char kFirstMagic[8] = {'E', 'X', 'P', 'C', 'K', 'P', 'T', '1'};
constexpr char kSecondMagic[8] = {'E', 'X', 'P', 'C', 'K', 'P', 'T', '2'};
constexpr std::size_t kChecksumBytes = 32;

class Writer {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_size(std::size_t n) { put(std::uint64_t(n)); }
  void put_optional(const std::optional<double>& value) {
    put(std::uint8_t(value.has_value()));
    put(value.value_or(0.0));
  }
  void put_text(const std::string& text) {
    put_size(text.size());
    bytes_ += text;
  }
  void put_vector(const Vector& values) {
    put_size(std::size_t(values.size()));
    bytes_.append(reinterpret_cast<const char*>(values.data()),
                  std::size_t(values.size()) * sizeof(double));
  }
  void put_raw(const char* data, std::size_t size) { bytes_.append(data, size); }
  void put_named(const NamedVectors& vectors) {
    put_size(vectors.size());
    for (const auto& [name, values] : vectors) {
      put_text(name);
      put_vector(values);
    }
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& origin) : bytes_(bytes), origin_(origin) {}

  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::size_t get_size(std::size_t limit) {
    const auto n = get<std::uint64_t>();
    if (n > limit) fail("a count of " + std::to_string(n) + " is larger than the file");
    return std::size_t(n);
  }
  std::optional<double> get_optional() {
    const bool present = get<std::uint8_t>() != 0;
    const double value = get<double>();
    return present ? std::optional<double>(value) : std::nullopt;
  }
  std::string get_text() {
    const std::size_t n = get_size(remaining());
    return std::string(take(n), n);
  }
  Vector get_vector() {
    const std::size_t n = get_size(remaining() / sizeof(double));
    Vector values(Eigen::Index(n), 1);
    if (n > 0) std::memcpy(values.data(), take(n * sizeof(double)), n * sizeof(double));
    return values;
  }
  NamedVectors get_named() {
    NamedVectors vectors(get_size(remaining()));
    for (auto& [name, values] : vectors) {
      name = get_text();
      values = get_vector();
    }
    return vectors;
  }
  const char* take(std::size_t size) {
    if (size > remaining()) fail("truncated");
    const char* at = bytes_.data() + position_;
    position_ += size;
    return at;
  }
  std::size_t remaining() const { return bytes_.size() - position_; }
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(origin_ + ": not a readable checkpoint (" + problem + ")");
  }

 private:
  const std::string& bytes_;
  const std::string& origin_;
  std::size_t position_ = 0;
};

}  // namespace

std::string Checkpoint::to_bytes(const std::string& identity) const {
  Writer out;
  out.put_raw(kMagic, sizeof kMagic);
  out.put_text(identity);
  const TrainingProgress& p = point.progress;
  out.put_size(p.steps);
  out.put(p.seconds);
  out.put(p.loss_sum);
  out.put_size(p.losses);
  out.put(std::uint8_t(p.evaluated_last));
  out.put_optional(p.final_loss);
  out.put_optional(p.final_train_accuracy);
  out.put_optional(p.final_test_accuracy);
  out.put_optional(p.best_test_accuracy);
  out.put_size(point.sampler.position);
  out.put_size(point.sampler.permutation.size());
  for (const std::size_t row : point.sampler.permutation) out.put_size(row);
  out.put(p.spent.evaluations);
  out.put(p.spent.forward_passes);
  out.put(p.spent.derivative_passes);
  out.put_size(p.quality.count);
  out.put(p.quality.cosine);
  out.put(p.quality.relative_error);
  out.put(p.quality.sign_agreement);
  out.put_vector(theta);
  out.put_named(optimizer);
  out.put_named(gradient_method);
  for (const std::uint64_t word : rng.words) out.put(word);
  out.put(std::uint8_t(rng.has_spare_normal));
  out.put(rng.spare_normal);
  out.put_size(rows.steps);
  out.put_size(rows.evaluations);
  out.put_size(rows.qualities);
  std::string bytes = out.take();
  Sha256 checksum;
  checksum.update(bytes);
  const auto digest = checksum.digest();
  bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return bytes;
}

Checkpoint Checkpoint::from_bytes(const std::string& bytes, const std::string& origin,
                                  const std::string& identity) {
  const auto refuse = [&](const std::string& problem) {
    throw Error(origin + ": " + problem + "; nothing was resumed");
  };
  if (bytes.size() >= sizeof kFirstMagic &&
      std::memcmp(bytes.data(), kFirstMagic, sizeof kFirstMagic) == 0) {
    refuse("written by an earlier exp (format 1, without checksum), so it cannot be verified");
  }
  if (bytes.size() >= sizeof kSecondMagic &&
      std::memcmp(bytes.data(), kSecondMagic, sizeof kSecondMagic) == 0) {
    refuse(
        "written by an earlier exp (format 2, without the gradient method's state and "
        "cost); finish the run with that exp, or start it again");
  }
  if (bytes.size() < sizeof kMagic + kChecksumBytes ||
      std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    refuse("not an exp checkpoint (version 3)");
  }
  // The checksum first: a damaged file says so, whatever byte was hit.
  const std::string_view content(bytes.data(), bytes.size() - kChecksumBytes);
  Sha256 checksum;
  checksum.update(content);
  const auto digest = checksum.digest();
  if (std::memcmp(digest.data(), bytes.data() + content.size(), kChecksumBytes) != 0) {
    refuse("checksum mismatch: the file is damaged");
  }
  const std::string body(content);
  Reader in(body, origin);
  in.take(sizeof kMagic);
  if (in.get_text() != identity) {
    refuse(
        "belongs to another run: it was written for a different config.yaml or other "
        "plugins than this run's");
  }
  Checkpoint c;
  TrainingProgress& p = c.point.progress;
  p.steps = in.get_size(SIZE_MAX);
  p.seconds = in.get<double>();
  p.loss_sum = in.get<double>();
  p.losses = in.get_size(SIZE_MAX);
  p.evaluated_last = in.get<std::uint8_t>() != 0;
  p.final_loss = in.get_optional();
  p.final_train_accuracy = in.get_optional();
  p.final_test_accuracy = in.get_optional();
  p.best_test_accuracy = in.get_optional();
  c.point.sampler.position = in.get_size(SIZE_MAX);
  c.point.sampler.permutation.resize(in.get_size(in.remaining() / sizeof(std::uint64_t)));
  for (auto& row : c.point.sampler.permutation) row = in.get_size(SIZE_MAX);
  p.spent.evaluations = in.get<std::uint64_t>();
  p.spent.forward_passes = in.get<std::uint64_t>();
  p.spent.derivative_passes = in.get<std::uint64_t>();
  p.quality.count = in.get_size(SIZE_MAX);
  p.quality.cosine = in.get<double>();
  p.quality.relative_error = in.get<double>();
  p.quality.sign_agreement = in.get<double>();
  c.theta = in.get_vector();
  c.optimizer = in.get_named();
  c.gradient_method = in.get_named();
  for (auto& word : c.rng.words) word = in.get<std::uint64_t>();
  c.rng.has_spare_normal = in.get<std::uint8_t>() != 0;
  c.rng.spare_normal = in.get<double>();
  c.rows.steps = in.get_size(SIZE_MAX);
  c.rows.evaluations = in.get_size(SIZE_MAX);
  c.rows.qualities = in.get_size(SIZE_MAX);
  if (in.remaining() != 0) in.fail(std::to_string(in.remaining()) + " bytes after the end");
  return c;
}

bool has_checkpoint(const fs::path& run_dir) {
  return fs::is_regular_file(run_dir / kCheckpointFile);
}

std::string run_identity(const std::string& config_yaml,
                         const std::vector<std::string>& plugin_versions) {
  Sha256 hash;
  hash.update(config_yaml);
  for (const auto& line : plugin_versions) {
    hash.update("\n");
    hash.update(line);
  }
  return hash.hex_digest();
}

void write_checkpoint(const RunDirectory& run, const Checkpoint& checkpoint,
                      const std::string& identity) {
  run.replace_atomically(kCheckpointFile, checkpoint.to_bytes(identity));
}

Checkpoint read_checkpoint(const fs::path& run_dir, const std::string& identity) {
  const fs::path file = run_dir / kCheckpointFile;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot read (" + std::strerror(errno) + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return Checkpoint::from_bytes(bytes.str(), file.string(), identity);
}

void remove_checkpoint(const RunDirectory& run) {
  std::error_code ignored;
  fs::remove(run.file(kCheckpointFile), ignored);
}

CheckpointWriter::CheckpointWriter(const RunDirectory& run, MetricFiles& files,
                                   double interval_seconds, std::string identity)
    : run_(run),
      identity_(std::move(identity)),
      files_(files),
      interval_(interval_seconds),
      last_(std::chrono::steady_clock::now()) {}

void CheckpointWriter::step_completed(const TrainingSnapshot& snapshot) {
  const auto now = std::chrono::steady_clock::now();
  if (!snapshot.stopping && now - last_ < interval_) return;
  files_.flush();
  Checkpoint checkpoint;
  checkpoint.point.progress = snapshot.progress;
  checkpoint.point.sampler = snapshot.sampler.state();
  checkpoint.theta = snapshot.theta;
  checkpoint.optimizer = snapshot.optimizer.state();
  checkpoint.gradient_method = snapshot.gradient_method.state();
  checkpoint.rng = snapshot.rng.state();
  checkpoint.rows = files_.rows();
  write_checkpoint(run_, checkpoint, identity_);
  // Measured from the end of the write, so a slow disk cannot make every step write.
  last_ = std::chrono::steady_clock::now();
  ++written_;
}

}  // namespace xp
