// exp grad: the gradient a run would take first (initial parameters, first batch),
// printed per named tensor with full precision: the chapter's numerical_gradient
// and simpleNet listings.
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/batch_sampler.hpp"
#include "exp/experiment.hpp"
#include "exp/npy.hpp"
#include "exp/number_format.hpp"
#include "process_launch.hpp"
#include "tensor_files.hpp"
#include "training_session.hpp"

namespace xp::cli {
namespace po = boost::program_options;

int grad_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp grad options");
  options.add_options()("method", po::value<std::string>(),
                        "gradient plugin to use (overrides gradient.name)")(
      "shapes", "print each tensor's shape instead of its values (the book's TwoLayerNet listing)")(
      "save", po::value<std::string>(),
      "DIR: also write DIR/params/*.npy (the initial parameters), DIR/gradient/*.npy and "
      "DIR/batch.npy (the batch's training-sample indices), to check with NumPy");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp grad CONFIG [key.path=value ...] [--method NAME] [--shapes] [--save DIR]",
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
  const std::vector<std::size_t> indices = sampler.next();
  experiment.dataset().gather(Split::train, indices, batch);
  const Objective objective(experiment.model(), experiment.loss(), batch, experiment.pool(),
                            experiment.group());
  Vector gradient;
  Random random(step_random_seed(settings.seed, 0));
  experiment.gradient().compute(objective, theta, {0, random}, gradient);

  if (experiment.group().rank() != 0) return 0;
  if (parsed.options.count("save")) {
    const std::filesystem::path folder = parsed.options["save"].as<std::string>();
    const ParameterLayout& layout = experiment.model().layout();
    write_tensor_files(folder / "params", layout, theta);
    write_tensor_files(folder / "gradient", layout, gradient);
    // .npy of float64, as NumPy reads it; indices are exact below 2^53.
    const std::vector<double> rows(indices.begin(), indices.end());
    write_npy(folder / "batch.npy", rows.data(), {rows.size()});
    std::cerr << "saved params/, gradient/ and batch.npy in " << folder.string() << std::endl;
  }
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
