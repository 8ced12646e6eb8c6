// checkpoint.bin in a run directory: everything a run needs to continue exactly
// where it stopped (`exp resume`). Written by CheckpointWriter when a signal stops
// the run and every `train.checkpoint_seconds` of training, so a killed run loses
// at most that much work; removed when the run completes.
//
//   xp::CheckpointWriter checkpoints(run, files, config.train.checkpoint_seconds);
//   trainer.run(theta, rng, {&files, &checkpoints, &stop});
//   ...
//   xp::Checkpoint saved = xp::read_checkpoint(run.path());
//   theta = saved.theta; rng.restore(saved.rng); optimizer.restore(saved.optimizer);
//   gradient_method.restore(saved.gradient_method);
//   trainer.run(theta, rng, callbacks, &saved.point);
//
// The file is one binary record, replaced atomically (written aside, then renamed),
// so a crash while writing leaves the previous checkpoint whole. It carries the
// run's identity (run_identity) and ends with the SHA-256 of everything before it:
// a damaged checkpoint, or one copied from another run, is refused, never resumed
// into results that no run produced. Numbers are stored
// as their bytes (doubles bit for bit): a checkpoint belongs to the machine family
// that wrote it, little-endian, as the run directory does.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "exp/callbacks.hpp"
#include "exp/optimizer.hpp"
#include "exp/random.hpp"
#include "exp/run_directory.hpp"
#include "exp/tensor.hpp"
#include "exp/training_state.hpp"

namespace xp {

inline constexpr const char* kCheckpointFile = "checkpoint.bin";

struct Checkpoint {
  ResumePoint point;       // the loop's progress and batch order
  Vector theta;            // the parameters after step point.progress.steps - 1
  NamedVectors optimizer;  // the optimizer's state (Optimizer::state())
  NamedVectors gradient_method;  // the gradient method's (GradientMethod::state())
  Random::State rng;
  MetricRows rows;  // metrics.csv and epochs.csv rows the run had written

  std::string to_bytes(const std::string& identity) const;
  // origin names the file in errors; throws xp::Error for anything but a whole,
  // undamaged checkpoint of the run with this identity.
  static Checkpoint from_bytes(const std::string& bytes, const std::string& origin,
                               const std::string& identity);
};

// What a checkpoint belongs to: the SHA-256 of the run's config.yaml as written when
// it started, and of its plugins' "kind name version" lines.
std::string run_identity(const std::string& config_yaml,
                         const std::vector<std::string>& plugin_versions);

bool has_checkpoint(const std::filesystem::path& run_dir);
void write_checkpoint(const RunDirectory& run, const Checkpoint& checkpoint,
                      const std::string& identity);
Checkpoint read_checkpoint(const std::filesystem::path& run_dir, const std::string& identity);
// After a run completes there is nothing to resume; removes the file if it exists.
void remove_checkpoint(const RunDirectory& run);

// Writes a checkpoint after the step at which the run stops (a signal), and after
// any step that ends `interval_seconds` or more after the previous checkpoint.
// Flushes the metric files first, so the rows a checkpoint counts are on disk.
class CheckpointWriter : public TrainingCallback {
 public:
  CheckpointWriter(const RunDirectory& run, MetricFiles& files, double interval_seconds,
                   std::string identity);
  void step_completed(const TrainingSnapshot& snapshot) override;
  std::size_t written() const { return written_; }  // checkpoints so far

 private:
  const RunDirectory& run_;
  std::string identity_;
  MetricFiles& files_;
  std::chrono::duration<double> interval_;
  std::chrono::steady_clock::time_point last_;
  std::size_t written_ = 0;
};

}  // namespace xp
