// The parts of an experiment, created from a resolved config: the dataset first,
// then the model with the dataset's sizes, the loss, the gradient method (with the
// experiment's threads) and the optimizer.
//
//   xp::Experiment experiment(xp::resolve_config(source));  // ConfigError: no run
//   xp::Random rng(experiment.config().train.seed);
//   xp::Vector theta = experiment.initial_parameters(rng);
#pragma once

#include <memory>

#include "exp/config.hpp"
#include "exp/dataset.hpp"
#include "exp/gradient.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/optimizer.hpp"
#include "exp/parallel.hpp"
#include "exp/random.hpp"
#include "exp/run_summary.hpp"

namespace xp {

class Experiment {
 public:
  // Throws ConfigError for a value a plugin refuses (located in the config) and for
  // a batch larger than the training set; xp::Error if a plugin fails otherwise.
  // group: the processes that train this run together (MPI ranks), or this one alone.
  explicit Experiment(ExperimentConfig config, ProcessGroup& group = single_process());

  const ExperimentConfig& config() const { return config_; }
  ThreadPool& pool() { return *pool_; }
  ProcessGroup& group() { return group_; }
  const Dataset& dataset() const { return *dataset_; }
  const Model& model() const { return *model_; }
  const Loss& loss() const { return *loss_; }
  GradientMethod& gradient() { return *gradient_; }
  Optimizer& optimizer() { return *optimizer_; }
  std::size_t train_size() const { return dataset_->size(Split::train); }

  // The model's initial parameters: the first numbers a run draws from rng.
  Vector initial_parameters(Random& rng) const;
  // kind, name, version and file of every plugin, for summaries.
  std::vector<PluginRecord> plugin_records() const;
  // The dataset's files with their SHA-256 (none for generated data).
  std::vector<DataRecord> data_records() const;

 private:
  ExperimentConfig config_;
  // Declared first so it outlives the gradient method that uses it.
  std::unique_ptr<ThreadPool> pool_;
  ProcessGroup& group_;
  std::shared_ptr<Dataset> dataset_;
  std::shared_ptr<Model> model_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<GradientMethod> gradient_;
  std::shared_ptr<Optimizer> optimizer_;
};

}  // namespace xp
