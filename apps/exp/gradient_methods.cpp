#include "gradient_methods.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "exp/batch_sampler.hpp"
#include "exp/error.hpp"
#include "exp/number_format.hpp"

namespace xp::cli {

FirstStep first_step(const Experiment& experiment) {
  const TrainSettings& settings = experiment.config().train;
  FirstStep step;
  Random rng(settings.seed);
  step.theta = experiment.initial_parameters(rng);
  BatchSampler sampler(settings.sampling, experiment.train_size(), settings.batch_size, rng);
  experiment.dataset().gather(Split::train, sampler.next(), step.batch);
  step.seed = settings.seed;
  return step;
}

void first_step_gradient(GradientMethod& method, const Objective& objective, const FirstStep& step,
                         Vector& gradient) {
  Random random(step_random_seed(step.seed, 0));
  method.compute(objective, step.theta, {0, random}, gradient);
}

std::string describe_parameters(const Parameters& parameters, const std::string& leave_out) {
  std::string text;
  for (const auto& [name, value] : parameters.values()) {
    if (name == leave_out) continue;
    if (!text.empty()) text += ", ";
    text += name + "=";
    if (const auto* real = std::get_if<double>(&value)) {
      text += repr(*real);
    } else {
      YAML::Emitter emitter;
      emitter << YAML::Flow << to_yaml(value);
      text += emitter.c_str();
    }
  }
  return text;
}

GradientMethodChoice gradient_method(Experiment& experiment, const LoadedPlugin& plugin,
                                     const YAML::Node& replaced) {
  const ExperimentConfig& config = experiment.config();
  GradientMethodChoice choice;
  choice.name = plugin.info->name;
  choice.plugin = plugin;
  YAML::Node given(YAML::NodeType::Map);
  for (const ParameterSpec& spec : plugin.info->parameters) {
    const auto& values = config.gradient.parameters.values();
    if (const auto found = values.find(spec.name); found != values.end()) {
      given[spec.name] = to_yaml(found->second);
    }
    if (replaced && replaced[spec.name]) given[spec.name] = replaced[spec.name];
  }
  const Parameters parameters = resolve_parameters(*plugin.info, given, "gradient", config.locate);
  Context context;
  context.seed = config.train.seed;
  context.pool = &experiment.pool();
  choice.method = PluginRegistry::create<GradientMethod>(plugin, parameters, context);
  choice.parameters = parameters;
  choice.settings = describe_parameters(parameters);
  return choice;
}

std::vector<GradientMethodChoice> gradient_methods(Experiment& experiment) {
  PluginRegistry registry(PluginRegistry::default_search_path(experiment.config().plugin_paths));
  std::vector<std::string> names = registry.names(PluginKind::gradient);
  std::stable_partition(names.begin(), names.end(),
                        [](const std::string& name) { return name == kReferenceMethod; });
  std::vector<GradientMethodChoice> choices;
  for (const auto& name : names) {
    try {
      choices.push_back(gradient_method(experiment, registry.find(PluginKind::gradient, name)));
    } catch (const Error& e) {
      GradientMethodChoice unavailable;
      unavailable.name = name;
      unavailable.unavailable = e.what();
      choices.push_back(std::move(unavailable));
    }
  }
  return choices;
}

GradientError gradient_error(const double* g, const double* r, std::size_t count, double floor) {
  GradientError error;
  double sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    const double difference = std::abs(g[i] - r[i]);
    if (!std::isfinite(difference)) {
      // A non-finite gradient is infinitely wrong, not silently skipped by max().
      const double infinite = std::numeric_limits<double>::infinity();
      return {infinite, infinite, infinite};
    }
    error.max_abs = std::max(error.max_abs, difference);
    sum += difference;
    const double scale = std::max({std::abs(g[i]), std::abs(r[i]), floor});
    if (difference > 0.0) error.max_relative = std::max(error.max_relative, difference / scale);
  }
  error.mean_abs = count == 0 ? 0.0 : sum / double(count);
  return error;
}

double gradient_scale(const Vector& reference) {
  // A plain loop: Eigen's vectorised maxCoeff draws g++ 12's false maybe-uninitialized
  // warning from avx512fintrin.h.
  double largest = 1.0;
  for (const double value : reference) largest = std::max(largest, std::abs(value));
  return largest;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace xp::cli
