// exp hsweep: the chapter's step-size study. For h across a range, the error of the
// forward and central differences against backprop at the point a run's first step
// takes its gradient, printed and plotted on log-log axes: truncation error (slope 1
// for forward, 2 for central) falling with h until rounding error, growing as 1/h,
// takes over. Where the model computes in single precision (model.precision) the
// same sweep in float shows rounding taking over at a much larger h.
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/chart.hpp"
#include "exp/error.hpp"
#include "exp/number_format.hpp"
#include "gradient_methods.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

// A sweep of more points than this is a typo (--points-per-decade 1000), not a study.
constexpr std::size_t kMaxSteps = 2000;

constexpr const char* kDifferences[] = {"forward_difference", "central_difference"};

struct SweepOptions {
  double from = 1e-1;
  double to = 1e-12;
  int points_per_decade = 4;
};

// The grid 10^(k/K) for integer k, from the largest point <= --from down to the
// smallest >= --to. Whole decades are read from "1e<k/K>" so that they are exactly
// the doubles 1e-1, 1e-4, ... a config would hold.
std::vector<double> step_sizes(const SweepOptions& options) {
  const double first = std::floor(std::log10(options.from) * options.points_per_decade + 1e-9);
  const double last = std::log10(options.to) * options.points_per_decade - 1e-9;
  std::vector<double> steps;
  for (double k = first; k >= last; k -= 1.0) {
    const double exponent = k / options.points_per_decade;
    steps.push_back(
        exponent == std::round(exponent)
            ? std::strtod(("1e" + std::to_string(std::lround(exponent))).c_str(), nullptr)
            : std::pow(10.0, exponent));
  }
  return steps;
}

std::string right_aligned(const std::string& text, std::size_t width) {
  return std::string(width - std::min(width, text.size()), ' ') + text;
}

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", value);
  return text;
}

// One curve of the study: a difference method in one precision of the model.
struct Curve {
  std::string label;   // "central, double"
  std::string column;  // "central_double"
  const Model* model = nullptr;
  const LoadedPlugin* plugin = nullptr;
  std::vector<double> errors;
};

// The config's model with its `precision` parameter set to `precision`, or null
// when the model plugin declares no such choice.
std::shared_ptr<Model> model_in_precision(const Experiment& experiment,
                                          const std::string& precision) {
  const PluginChoice& choice = experiment.config().model;
  const auto& specs = choice.plugin.info->parameters;
  const bool offered = std::any_of(specs.begin(), specs.end(), [&](const ParameterSpec& spec) {
    return std::string_view(spec.name) == "precision" && spec.choices &&
           ("|" + std::string(spec.choices) + "|").find("|" + precision + "|") != std::string::npos;
  });
  if (!offered) return nullptr;
  Parameters parameters = choice.parameters;
  parameters.set("precision", precision);
  Context context;
  context.seed = experiment.config().train.seed;
  context.input_size = experiment.dataset().input_size();
  context.output_size = experiment.dataset().output_size();
  return PluginRegistry::create<Model>(choice.plugin, parameters, context);
}

}  // namespace

int hsweep_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  SweepOptions sweep;
  po::options_description options("exp hsweep options");
  options.add_options()("from", po::value<double>(&sweep.from)->default_value(1e-1, "1e-1"),
                        "largest step h")(
      "to", po::value<double>(&sweep.to)->default_value(1e-12, "1e-12"), "smallest step h")(
      "points-per-decade", po::value<int>(&sweep.points_per_decade)->default_value(4),
      "steps per factor of 10, log spaced")(
      "precision", po::value<std::string>()->default_value("both"),
      "double, single or both (single where the model offers model.precision: single)")(
      "batch", po::value<std::size_t>(), "samples in the batch (overrides train.batch_size)")(
      "output,o", po::value<std::string>(), "draw the curves into this .svg or .png file")(
      "csv", po::value<std::string>(), "also write the errors as CSV to this file");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp hsweep CONFIG [key.path=value ...] [--from 1e-1] [--to 1e-12] "
        "[--points-per-decade K] [-o FILE.svg] [--csv FILE]",
        "For each step h from --from down to --to, the error of forward and central\n"
        "differences against backprop (in double) on the first mini-batch a run would draw:\n"
        "max |g - g_backprop| over all parameters. Truncation error falls as h (forward)\n"
        "or h^2 (central) until rounding error, which grows as 1/h, takes over. With a model\n"
        "that offers model.precision: single the sweep is repeated in float. The gradient\n"
        "section's other parameters (strategy) apply; single precision always re-evaluates.",
        options);
    return 0;
  }
  if (!(sweep.from > 0.0) || !(sweep.to > 0.0) || !std::isfinite(sweep.from)) {
    throw po::error("--from and --to: expected steps h > 0, found --from " + repr(sweep.from) +
                    " --to " + repr(sweep.to));
  }
  if (!(sweep.from > sweep.to)) {
    throw po::error("--from " + repr(sweep.from) + " must be larger than --to " + repr(sweep.to) +
                    " (the sweep runs from large h to small)");
  }
  if (sweep.points_per_decade < 1) {
    throw po::error("--points-per-decade: expected an integer >= 1, found " +
                    std::to_string(sweep.points_per_decade));
  }
  const std::string precision = parsed.options["precision"].as<std::string>();
  if (precision != "double" && precision != "single" && precision != "both") {
    throw po::error("--precision: expected double, single or both, found '" + precision + "'");
  }
  const std::vector<double> steps = step_sizes(sweep);
  if (steps.size() > kMaxSteps) {
    throw po::error("--from, --to and --points-per-decade give " + std::to_string(steps.size()) +
                    " steps; at most " + std::to_string(kMaxSteps));
  }
  std::string output;
  if (parsed.options.count("output")) {
    output = parsed.options["output"].as<std::string>();
    const std::string extension = std::filesystem::path(output).extension().string();
    if (extension != ".svg" && extension != ".png") {
      throw po::error("-o " + output + ": expected a .svg or .png file");
    }
  }

  std::vector<Override> overrides = parsed.parsed_overrides();
  if (parsed.options.count("batch")) {
    const auto batch = std::to_string(parsed.options["batch"].as<std::size_t>());
    overrides.push_back(Override::from_option("train.batch_size", batch, "--batch " + batch));
  }
  Experiment experiment(resolve_config(ConfigSource::load(parsed.config, overrides)));
  const FirstStep step = first_step(experiment);

  // The reference is backprop in double, whatever precision the config asks for.
  std::shared_ptr<Model> in_double = model_in_precision(experiment, "double");
  const Model& double_model = in_double ? *in_double : experiment.model();
  std::shared_ptr<Model> in_single;
  if (precision != "double") {
    in_single = model_in_precision(experiment, "single");
    if (!in_single) {
      std::cout << "single precision: model '" << experiment.config().model.name()
                << "' offers no model.precision: single; double only\n";
      if (precision == "single") {
        throw Error("hsweep: --precision single: model '" + experiment.config().model.name() +
                    "' has no single-precision mode");
      }
    }
  }
  PluginRegistry registry(PluginRegistry::default_search_path(experiment.config().plugin_paths));
  const Objective reference_objective(double_model, experiment.loss(), step.batch,
                                      experiment.pool());
  Vector reference;
  try {
    first_step_gradient(
        *gradient_method(experiment, registry.find(PluginKind::gradient, kReferenceMethod)).method,
        reference_objective, step, reference);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    throw Error(std::string("hsweep measures errors against backprop, which failed: ") + e.what());
  }

  std::vector<Curve> curves;
  for (const auto& [model, word] : {std::pair<const Model*, std::string>{
                                        precision != "single" ? &double_model : nullptr, "double"},
                                    {in_single.get(), "single"}}) {
    if (!model) continue;
    for (const char* name : kDifferences) {
      const std::string method = std::string(name).substr(0, std::string(name).find('_'));
      curves.push_back({.label = method + ", " + word,
                        .column = method + "_" + word,
                        .model = model,
                        .plugin = &registry.find(PluginKind::gradient, name),
                        .errors = {}});
    }
  }

  // The gradient section's other settings (strategy) matter in double only: in float
  // there is no shortcut to choose.
  std::string settings =
      describe_parameters(gradient_method(experiment, *curves.front().plugin).parameters, "h");
  if (precision == "single") settings.clear();
  if (!settings.empty() && in_single) settings += " in double";
  std::cout << "step-size study of " << parsed.config << ": initial parameters (seed "
            << experiment.config().train.seed << "), first batch of " << step.batch.size()
            << " samples, " << reference.size() << " parameters"
            << (settings.empty() ? "" : ", " + settings) << "\n"
            << "error: max |g - g_backprop| over all parameters (backprop in double)\n";
  if (in_single && precision != "double") {
    // No shortcut exists in float: each central gradient is 2P full forward passes,
    // which for the book's 39,760 parameters is minutes per step size.
    std::cout << "single precision re-evaluates the loss: " << 2 * reference.size()
              << " forward passes of the batch per central gradient (--precision double "
                 "leaves it out)\n";
  }
  std::cout << "\n";
  // Rows are printed as they are computed rather than as one table at the end: a
  // float sweep of a large model takes long enough to want to see it progress.
  std::ostringstream csv;
  csv << "h";
  constexpr std::size_t kWidth = 16;
  std::string header = right_aligned("h", 8);
  for (const auto& curve : curves) {
    csv << "," << curve.column;
    header += "  " + right_aligned(curve.label, kWidth);
  }
  csv << "\n";
  std::cout << header << "\n";
  YAML::Node replaced;
  for (const double h : steps) {
    csv << repr(h);
    std::string line = scientific(h);
    replaced["h"] = h;
    for (auto& curve : curves) {
      const Objective objective(*curve.model, experiment.loss(), step.batch, experiment.pool());
      Vector gradient;
      first_step_gradient(*gradient_method(experiment, *curve.plugin, replaced).method, objective,
                          step, gradient);
      const double error =
          gradient_error(gradient.data(), reference.data(), std::size_t(gradient.size()), 0.0)
              .max_abs;
      curve.errors.push_back(error);
      csv << "," << repr(error);
      line += "  " + right_aligned(scientific(error), kWidth);
    }
    csv << "\n";
    std::cout << line << std::endl;
  }

  if (parsed.options.count("csv")) {
    const std::string file = parsed.options["csv"].as<std::string>();
    std::ofstream out(file);
    out << csv.str();
    if (!out.flush()) throw Error(file + ": cannot write the CSV file");
  }
  if (!output.empty()) {
    // Small h and small error is the one corner no curve reaches: rounding error
    // grows towards small h, truncation error towards large h.
    Chart chart{.title = experiment.config().experiment + ": finite differences against backprop" +
                         (settings.empty() ? "" : " (" + settings + ")"),
                .x_label = "step h",
                .y_label = "max |g - g_backprop| over all parameters",
                .log_x = true,
                .log_y = true,
                .legend = LegendPosition::bottom_left};
    for (const auto& curve : curves) {
      chart.series.push_back({.label = curve.label,
                              .x = steps,
                              .y = curve.errors,
                              .style = SeriesStyle::lines_points});
    }
    draw_chart(chart, output);
    std::cout << "\nplot: " << output << "\n";
  }
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(hsweep, 34,
            "CONFIG [key.path=value ...]  finite-difference error against backprop across step "
            "sizes h",
            xp::cli::hsweep_command)
