#include "exp/experiment.hpp"

#include "exp/error.hpp"
#include "exp/sha256.hpp"

namespace xp {
namespace {

// A value the factory refused is the user's to fix: say where it is in the config.
template <typename T>
std::shared_ptr<T> create(const ExperimentConfig& config, const PluginChoice& choice,
                          const Context& context) {
  try {
    return PluginRegistry::create<T>(choice.plugin, choice.parameters, context);
  } catch (const ParameterError& e) {
    const std::string path = choice.key_path + "." + e.parameter();
    throw ConfigError(config.where(path) + ": " + path + ": " + e.what());
  }
}

}  // namespace

Experiment::Experiment(ExperimentConfig config, ProcessGroup& group)
    : config_(std::move(config)),
      pool_(std::make_unique<ThreadPool>(config_.train.threads)),
      group_(group) {
  Context context;
  context.seed = config_.train.seed;
  context.pool = pool_.get();
  dataset_ = create<Dataset>(config_, config_.dataset, context);
  const std::size_t train_size = dataset_->size(Split::train);
  if (train_size == 0) {
    throw ConfigError(config_.where("dataset") + ": dataset: '" + config_.dataset.name() +
                      "' has no training samples; expected at least one");
  }
  if (config_.train.batch_size > train_size) {
    throw ConfigError(config_.where("train.batch_size") +
                      ": train.batch_size: " + std::to_string(config_.train.batch_size) +
                      " is larger than the training set (" + std::to_string(train_size) +
                      " samples of dataset '" + config_.dataset.name() + "'); use at most " +
                      std::to_string(train_size));
  }
  context.input_size = dataset_->input_size();
  context.output_size = dataset_->output_size();
  model_ = create<Model>(config_, config_.model, context);
  loss_ = create<Loss>(config_, config_.loss, context);
  gradient_ = create<GradientMethod>(config_, config_.gradient, context);
  optimizer_ = create<Optimizer>(config_, config_.optimizer, context);
}

Vector Experiment::initial_parameters(Random& rng) const {
  Vector theta = Vector::Zero(Eigen::Index(model_->layout().size()));
  model_->initialize(theta, rng);
  return theta;
}

std::vector<PluginRecord> Experiment::plugin_records() const {
  std::vector<PluginRecord> records;
  for (const PluginChoice* choice : config_.plugins()) {
    records.push_back({std::string(to_string(choice->kind)), choice->name(),
                       choice->plugin.info->version, choice->plugin.file.string(),
                       sha256_of_file(choice->plugin.file)});
  }
  return records;
}

std::vector<DataRecord> Experiment::data_records() const {
  std::vector<DataRecord> records;
  for (const auto& file : dataset_->files()) {
    records.push_back({std::filesystem::absolute(file).string(), sha256_of_file(file)});
  }
  return records;
}

}  // namespace xp
