// exp validate: everything `exp run` checks before it creates a run directory,
// then the resolved config on stdout (defaults filled in, overrides applied).
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/experiment.hpp"

namespace xp::cli {
namespace po = boost::program_options;

int validate_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp validate options");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp validate CONFIG [key.path=value ...]",
               "Resolves CONFIG with the overrides, checks every key against the plugins it names\n"
               "and the data it loads (as `exp run` would, without training), and prints the\n"
               "resolved config. Running the printed config gives the same run.",
               options);
    return 0;
  }
  // Creating the parts checks what only they can: data files, sizes, batch size.
  const ConfigSource source = ConfigSource::load(parsed.config, parsed.parsed_overrides());
  for (const auto& notice : source.notices()) std::cerr << notice << std::endl;
  const Experiment experiment(resolve_config(source));
  std::cout << experiment.config().to_yaml_text();
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(validate, 20, "CONFIG [key.path=value ...]  check a config and print it fully resolved",
            xp::cli::validate_command)
