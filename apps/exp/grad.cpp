// exp grad: the gradient a run would take first (initial parameters, first batch),
// printed per named tensor with full precision: the chapter's numerical_gradient
// and simpleNet listings.
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/batch_sampler.hpp"
#include "exp/experiment.hpp"
#include "exp/number_format.hpp"
#include "process_launch.hpp"
#include "training_session.hpp"

namespace xp::cli {
namespace po = boost::program_options;

int grad_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp grad options");
  options.add_options()("method", po::value<std::string>(),
                        "gradient plugin to use (overrides gradient.name)")(
      "shapes", "print each tensor's shape instead of its values (the book's TwoLayerNet listing)");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp grad CONFIG [key.path=value ...] [--method NAME] [--shapes]",
               "Prints the gradient of the loss at the initial parameters on the first mini-batch\n"
               "the run would draw, per named tensor, shaped as the tensor, with every digit.",
               options);
    return 0;
  }
  std::vector<Override> overrides = parsed.parsed_overrides();
  if (parsed.options.count("method")) {
    const auto method = parsed.options["method"].as<std::string>();
    overrides.push_back(Override::from_option("gradient.name", method, "--method " + method));
  }
  // Under mpirun the ranks split the gradient as in a run; rank 0 prints it.
  Experiment experiment(resolve_config(ConfigSource::load(parsed.config, overrides)),
                        process_group());
  check_same_inputs(experiment);
  const TrainSettings& settings = experiment.config().train;

  // The same draws, in the same order, as the first step of Trainer::run.
  Random rng(settings.seed);
  const Vector theta = experiment.initial_parameters(rng);
  BatchSampler sampler(settings.sampling, experiment.train_size(), settings.batch_size, rng);
  Batch batch;
  experiment.dataset().gather(Split::train, sampler.next(), batch);
  const Objective objective(experiment.model(), experiment.loss(), batch, experiment.pool(),
                            experiment.group());
  Vector gradient;
  Random random(step_random_seed(settings.seed, 0));
  experiment.gradient().compute(objective, theta, {0, random}, gradient);

  if (experiment.group().rank() != 0) return 0;
  const bool shapes_only = parsed.options.count("shapes") != 0;
  for (const auto& tensor : experiment.model().layout().tensors()) {
    if (shapes_only) {
      // NumPy's shape notation: (784, 100) for a matrix, (100,) for a vector.
      std::cout << tensor.name << ": "
                << (tensor.is_vector ? "(" + std::to_string(tensor.size()) + ",)"
                                     : "(" + std::to_string(tensor.rows) + ", " +
                                           std::to_string(tensor.cols) + ")")
                << "\n";
      continue;
    }
    std::cout << format_tensor(tensor.name, gradient.data() + tensor.offset, tensor.rows,
                               tensor.cols, tensor.is_vector)
              << "\n";
  }
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(
    grad, 30,
    "CONFIG [key.path=value ...]  the gradient at the initial parameters on the first batch",
    xp::cli::grad_command)
