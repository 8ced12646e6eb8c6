// exp gradcheck: every gradient method against backprop at the point a run's first
// step takes its gradient (initial parameters, first mini-batch), per named tensor,
// with the time each method took: the book's gradient_check.py as a table.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/error.hpp"
#include "exp/gradient_quality.hpp"
#include "exp/number_format.hpp"
#include "gradient_methods.hpp"
#include "process_launch.hpp"
#include "training_session.hpp"
#include "table.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

constexpr int kTimedCalls = 3;

struct MethodResult {
  GradientMethodChoice choice;
  Vector gradient;
  double seconds = 0.0;
  bool computed = false;
};

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1e", value);
  return text;
}

// 0.0036 for a random direction's estimate; 1 - 2.3e-12 for an exact method, whose
// cosine would read 1.0000 with four decimals.
std::string fixed_cosine(double cosine) {
  char text[32];
  if (cosine > 0.9999 && cosine < 1.0) {
    std::snprintf(text, sizeof text, "1 - %.1e", 1.0 - cosine);
  } else {
    std::snprintf(text, sizeof text, "%.4f", cosine);
  }
  return text;
}

std::string milliseconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds * 1e3);
  return text;
}

std::set<std::string> method_list(const std::string& text) {
  std::set<std::string> names;
  std::stringstream words(text);
  for (std::string name; std::getline(words, name, ',');) {
    if (!name.empty()) names.insert(name);
  }
  return names;
}

// What the model's shortcut did for a central difference at the config's h (1e-4
// when its gradient method has none): how many (parameter, sample) pairs took the
// general path, and how many parameters' steps crossed a relu kink, where a
// central difference is not backprop's one-sided slope.
void print_shortcut_account(const Experiment& experiment, const Objective& objective,
                            const Vector& theta, std::ostream& out) {
  const Parameters& gradient = experiment.config().gradient.parameters;
  const double h = gradient.contains("h") ? gradient.real("h") : 1e-4;
  const auto differences = objective.differences(theta, DifferenceSteps::central(h));
  if (!differences) return;
  std::vector<double> values(objective.size());
  differences->compute(0, objective.size(), h, -h, values.data());
  const ShortcutCounts counts = differences->counts();
  out << "shortcut (central, h = " << repr(h) << "): general path for "
            << counts.general_pairs << " of " << counts.pairs << " (parameter, sample) pairs; "
            << counts.kink_parameters
            << " parameters' steps crossed a relu kink (there the central difference averages "
               "the two one-sided slopes; backprop takes one)\n";
}

}  // namespace

int gradcheck_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp gradcheck options");
  options.add_options()("batch", po::value<std::size_t>(),
                        "samples in the batch (overrides train.batch_size)")(
      "methods", po::value<std::string>(),
      "comma-separated gradient plugins to compare (default: every one found)")(
      "tolerance", po::value<double>(),
      "exit 1 when a method's max |g - r| exceeds this times max(1, max|r|) (the chapter "
      "issue's criterion; central vs backprop: 1e-8)")("csv", po::value<std::string>(),
                                                       "also write the errors as CSV to this file");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp gradcheck CONFIG [key.path=value ...] [--batch N] [--methods a,b] [--tolerance X] "
        "[--csv FILE]",
        "Computes the gradient at the initial parameters on the first mini-batch a run would\n"
        "draw with every gradient method found (forward_difference, central_difference, ...;\n"
        "h and strategy from the config's gradient section) and prints, per named tensor, the\n"
        "max and mean absolute error and the max relative error of each against backprop,\n"
        "and the wall time of each method (one gradient; the best of up to three calls).\n"
        "Relative error of an entry: |g - r| / max(|g|, |r|, floor), floor = 1e-8 * max(1,\n"
        "max|r|): entries whose gradient is below the floor count by their absolute error.",
        options);
    return 0;
  }
  std::vector<Override> overrides = parsed.parsed_overrides();
  if (parsed.options.count("batch")) {
    const auto batch = std::to_string(parsed.options["batch"].as<std::size_t>());
    overrides.push_back(Override::from_option("train.batch_size", batch, "--batch " + batch));
  }
  std::optional<double> tolerance;
  if (parsed.options.count("tolerance")) {
    tolerance = parsed.options["tolerance"].as<double>();
    if (!(*tolerance > 0.0)) {
      throw po::error("--tolerance: expected a number > 0, found " + repr(*tolerance));
    }
  }
  // Under mpirun the ranks split each finite difference as in a run; rank 0 prints.
  Experiment experiment(resolve_config(ConfigSource::load(parsed.config, overrides)),
                        process_group());
  check_same_inputs(experiment);
  std::ostream silent(nullptr);
  std::ostream& out = experiment.group().rank() == 0 ? std::cout : silent;
  std::vector<GradientMethodChoice> choices = gradient_methods(experiment);
  if (parsed.options.count("methods")) {
    const auto wanted = method_list(parsed.options["methods"].as<std::string>());
    std::string known;
    for (const auto& choice : choices) known += (known.empty() ? "" : ", ") + choice.name;
    for (const auto& name : wanted) {
      if (std::none_of(choices.begin(), choices.end(),
                       [&](const GradientMethodChoice& c) { return c.name == name; })) {
        throw po::error("--methods: no gradient plugin '" + name + "'; found: " + known);
      }
    }
    // The reference is always computed: every other method is measured against it.
    std::erase_if(choices, [&](const GradientMethodChoice& c) {
      return c.name != kReferenceMethod && wanted.count(c.name) == 0;
    });
  }

  const FirstStep step = first_step(experiment);
  const Objective objective(experiment.model(), experiment.loss(), step.batch, experiment.pool(),
                            experiment.group());
  std::vector<MethodResult> results;
  for (auto& choice : choices) {
    MethodResult result;
    result.choice = std::move(choice);
    if (result.choice.method) {
      try {
        // The best of up to three calls (fewer past a second): the first call also
        // pays for warming caches and threads, which is not the method's cost. The
        // ranks of an MPI job agree on when to stop, as each call is a collective one.
        double spent = 0.0;
        for (int call = 0; call < kTimedCalls; ++call) {
          const auto start = std::chrono::steady_clock::now();
          first_step_gradient(*result.choice.method, objective, step, result.gradient);
          const double seconds = seconds_since(start);
          result.seconds = call == 0 ? seconds : std::min(result.seconds, seconds);
          spent += seconds;
          if (experiment.group().any(spent >= 1.0)) break;
        }
        result.computed = true;
      } catch (const Error& e) {
        result.choice.unavailable = e.what();
      }
    }
    results.push_back(std::move(result));
  }

  // backprop is the reference; without it (a model with no analytic gradient) the
  // first method that worked, central_difference where present, stands in.
  const MethodResult* reference = nullptr;
  for (const char* name : {kReferenceMethod, "central_difference"}) {
    for (const auto& result : results) {
      if (!reference && result.computed && result.choice.name == name) reference = &result;
    }
  }
  for (const auto& result : results) {
    if (!reference && result.computed) reference = &result;
  }

  const ExperimentConfig& config = experiment.config();
  out << "gradient check of " << parsed.config << ": initial parameters (seed "
            << config.train.seed << "), first batch of " << step.batch.size() << " samples, "
            << objective.size() << " parameters, " << experiment.pool().size() << " thread"
            << (experiment.pool().size() == 1 ? "" : "s") << "\n\n";
  Table methods({"method", "time ms", "settings"}, {false, true, false});
  for (const auto& result : results) {
    if (!result.computed) continue;
    std::string settings = result.choice.settings;
    if (&result == reference) settings = settings.empty() ? "reference" : "reference, " + settings;
    methods.add({result.choice.name, milliseconds(result.seconds), settings});
  }
  methods.print(out, TableFormat::aligned);
  print_shortcut_account(experiment, objective, step.theta, out);
  for (const auto& result : results) {
    if (!result.computed) {
      out << "skipped " << result.choice.name << ": " << result.choice.unavailable << "\n";
    }
  }
  if (!reference) {
    throw Error("gradcheck: no gradient method could be computed for " + parsed.config);
  }

  const double scale = gradient_scale(reference->gradient);
  const double floor = kRelativeErrorFloor * scale;
  const std::vector<bool> numeric = {false, false, true, true, true, true, true};
  // The cosine is what a random estimator is judged by: it is unbiased, not close.
  Table errors(
      {"against " + reference->choice.name, "tensor", "max abs", "mean abs", "max rel", "cosine"},
      numeric);
  Table csv(
      {"method", "tensor", "max_abs", "mean_abs", "max_rel", "cosine", "seconds", "reference"},
      numeric);
  std::vector<std::string> failures;
  for (const auto& result : results) {
    if (!result.computed || &result == reference) continue;
    std::vector<TensorShape> parts = experiment.model().layout().tensors();
    parts.push_back({.name = "all", .offset = 0, .rows = 1, .cols = objective.size()});
    for (const auto& tensor : parts) {
      const GradientError error =
          gradient_error(result.gradient.data() + tensor.offset,
                         reference->gradient.data() + tensor.offset, tensor.size(), floor);
      const auto part = [&](const Vector& g) {
        return Vector(g.segment(Eigen::Index(tensor.offset), Eigen::Index(tensor.size())));
      };
      const double cosine =
          compare_gradients(part(result.gradient), part(reference->gradient)).cosine;
      errors.add({result.choice.name, tensor.name, scientific(error.max_abs),
                  scientific(error.mean_abs), scientific(error.max_relative),
                  fixed_cosine(cosine)});
      csv.add({result.choice.name, tensor.name, repr(error.max_abs), repr(error.mean_abs),
               repr(error.max_relative), repr(cosine), repr(result.seconds),
               reference->choice.name});
      if (tensor.name == "all" && tolerance && !(error.max_abs <= *tolerance * scale)) {
        failures.push_back(result.choice.name + ": max |g - r| = " + scientific(error.max_abs) +
                           " exceeds " + repr(*tolerance) +
                           " * max(1, max|r|) = " + scientific(*tolerance * scale));
      }
    }
  }
  out << "\n";
  if (errors.size() > 0) {
    errors.print(out, TableFormat::aligned);
    out << "\nmax rel: max |g - r| / max(|g|, |r|, " << scientific(floor)
              << ") (the floor is 1e-8 * max(1, max|r|))\n";
  } else {
    out << "nothing to compare with " << reference->choice.name << "\n";
  }
  if (parsed.options.count("csv") && experiment.group().rank() == 0) {
    const std::string file = parsed.options["csv"].as<std::string>();
    std::ofstream out(file);
    csv.print(out, TableFormat::csv);
    if (!out.flush()) throw Error(file + ": cannot write the CSV file");
  }
  for (const auto& failure : failures) out << "tolerance exceeded: " << failure << "\n";
  return failures.empty() ? 0 : 1;
}

}  // namespace xp::cli

EXP_COMMAND(gradcheck, 32,
            "CONFIG [key.path=value ...]  every gradient method against backprop on the first "
            "batch",
            xp::cli::gradcheck_command)
