// What `exp gradcheck` and `exp hsweep` share: the point a run's first step takes its
// gradient at, every gradient method the config can be checked with, and how two
// gradients are compared.
//
//   Experiment experiment(resolve_config(source));
//   const FirstStep step = first_step(experiment);
//   const Objective objective(experiment.model(), experiment.loss(), step.batch,
//   experiment.pool()); for (auto& choice : gradient_methods(experiment)) ...
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "exp/experiment.hpp"
#include "exp/plugin_registry.hpp"

namespace xp::cli {

// The initial parameters and the first mini-batch, drawn as Trainer::run and
// `exp grad` draw them (same seed, same order).
struct FirstStep {
  Vector theta;
  Batch batch;
  std::uint64_t seed = 0;  // the run's, for the step's random stream
};
FirstStep first_step(const Experiment& experiment);

// The gradient `method` computes at the first step, with the first step's random
// stream (as Trainer::run gives it).
void first_step_gradient(GradientMethod& method, const Objective& objective, const FirstStep& step,
                         Vector& gradient);

// One gradient plugin set up like the config's gradient section: the section's
// parameters that the plugin also declares (h, strategy) carry over, the others take
// their defaults. A method that cannot be created says why in `unavailable`.
struct GradientMethodChoice {
  std::string name;
  LoadedPlugin plugin;
  std::shared_ptr<GradientMethod> method;  // null when unavailable
  std::string unavailable;                 // one line
  Parameters parameters;                   // as resolved for the plugin
  std::string settings;                    // "h=0.0001, strategy=fast"; "" without parameters
};

// "h=0.0001, strategy=fast": every parameter but `leave_out`, in name order.
std::string describe_parameters(const Parameters& parameters, const std::string& leave_out = "");

// Every gradient plugin on the config's search path, by name; the reference
// (`backprop`) first, then the others in name order.
std::vector<GradientMethodChoice> gradient_methods(Experiment& experiment);

// The config's gradient parameters that `plugin` declares, with `replaced` (a YAML
// mapping, e.g. {h: 1e-6}) laid over them. Throws ConfigError for a value the plugin
// refuses.
GradientMethodChoice gradient_method(Experiment& experiment, const LoadedPlugin& plugin,
                                     const YAML::Node& replaced = YAML::Node());

// The name of the gradient that every other is compared with.
inline constexpr const char* kReferenceMethod = "backprop";

// How far a gradient g lies from a reference r over a range of parameters:
//   max_abs  = max_i |g_i - r_i|, mean_abs = mean_i |g_i - r_i|,
//   max_relative = max_i |g_i - r_i| / max(|g_i|, |r_i|, floor).
// The floor keeps entries whose gradient is (nearly) zero from reading as relative
// errors of order 1 made of rounding noise: below it an error counts as absolute.
struct GradientError {
  double max_abs = 0.0;
  double mean_abs = 0.0;
  double max_relative = 0.0;
};
GradientError gradient_error(const double* g, const double* r, std::size_t count, double floor);

// max(1, max_i |r_i|): the scale of the chapter issue's agreement criterion
// |central - backprop| <= 1e-8 * max(1, max|g|). 1e-8 times it is the floor of the
// relative error above.
double gradient_scale(const Vector& reference);
inline constexpr double kRelativeErrorFloor = 1e-8;

// Seconds on a steady clock.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace xp::cli
