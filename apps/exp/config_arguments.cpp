#include "config_arguments.hpp"

#include <cstdlib>
#include <iostream>

namespace xp::cli {
namespace po = boost::program_options;

std::vector<Override> ConfigArguments::parsed_overrides() const {
  std::vector<Override> parsed;
  for (const auto& text : overrides) parsed.push_back(Override::parse(text));
  return parsed;
}

ConfigArguments parse_config_arguments(const Arguments& arguments,
                                       po::options_description& options) {
  ConfigArguments parsed;
  options.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("config", po::value<std::string>(&parsed.config), "config file")(
      "override", po::value<std::vector<std::string>>(&parsed.overrides), "key.path=value");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("config", 1).add("override", -1);
  po::store(po::command_line_parser(arguments)
                .options(all)
                .positional(positional)
                .style(kOptionStyle)
                .run(),
            parsed.options);
  po::notify(parsed.options);
  parsed.help = parsed.options.count("help") != 0;
  if (!parsed.help && parsed.config.empty()) {
    throw po::error("missing CONFIG (a YAML config file); see --help");
  }
  return parsed;
}

WordArguments parse_word_arguments(const Arguments& arguments, po::options_description& options,
                                   int max_words) {
  WordArguments parsed;
  options.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("word", po::value<std::vector<std::string>>(&parsed.words), "word");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("word", max_words);
  po::store(po::command_line_parser(arguments)
                .options(all)
                .positional(positional)
                .style(kOptionStyle)
                .run(),
            parsed.options);
  po::notify(parsed.options);
  parsed.help = parsed.options.count("help") != 0;
  return parsed;
}

void print_help(const std::string& usage, const std::string& about,
                const po::options_description& options) {
  std::cout << "usage: " << usage << "\n\n" << about << "\n\n" << options << std::flush;
}

void add_runs_dir_option(po::options_description& options, const char* meaning) {
  const char* from_environment = std::getenv("EXP_RUNS_DIR");
  const std::string folder =
      from_environment && *from_environment ? from_environment : std::string("runs");
  options.add_options()("runs-dir", po::value<std::string>()->default_value(folder),
                        (std::string(meaning) + " (default: $EXP_RUNS_DIR, or runs)").c_str());
}

std::vector<std::filesystem::path> folders_or_runs_dir(const WordArguments& parsed) {
  if (!parsed.words.empty())
    return std::vector<std::filesystem::path>(parsed.words.begin(), parsed.words.end());
  return {runs_dir_option(parsed.options)};
}

std::string runs_dir_option(const boost::program_options::variables_map& options) {
  const std::string folder = options["runs-dir"].as<std::string>();
  if (folder.empty()) {
    throw boost::program_options::error(
        "--runs-dir: expected a folder for the runs, found an empty path");
  }
  return folder;
}

}  // namespace xp::cli
