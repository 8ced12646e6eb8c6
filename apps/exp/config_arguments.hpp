// Command-line parsing the commands share (Boost.program_options): CONFIG followed
// by key.path=value overrides (run, validate, grad...), or plain words (run
// directories, a plugin kind).
#pragma once

#include <boost/program_options.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exp/config.hpp"

namespace xp::cli {

// Options must be spelled out: a guessed abbreviation (--thread for --threads) would
// hide typos in scripts.
inline constexpr int kOptionStyle = boost::program_options::command_line_style::default_style &
                                    ~boost::program_options::command_line_style::allow_guessing;

struct ConfigArguments {
  std::string config;
  std::vector<std::string> overrides;  // as given
  bool help = false;
  boost::program_options::variables_map options;

  // Overrides parsed, plus any that options stand for (--threads is train.threads).
  std::vector<Override> parsed_overrides() const;
};

// Parses arguments against the command's own options, to which --help is added.
ConfigArguments parse_config_arguments(const Arguments& arguments,
                                       boost::program_options::options_description& options);

struct WordArguments {
  std::vector<std::string> words;  // the positional arguments, in order
  bool help = false;
  boost::program_options::variables_map options;
};

// Parses arguments against the command's own options, to which --help is added;
// at most max_words positional words (-1: any number).
WordArguments parse_word_arguments(const Arguments& arguments,
                                   boost::program_options::options_description& options,
                                   int max_words = -1);

// Adds --runs-dir, whose default is $EXP_RUNS_DIR, or runs: every command that writes
// or reads runs takes it.
void add_runs_dir_option(boost::program_options::options_description& options,
                         const char* meaning);

// The --runs-dir option's folder; an empty one is refused (it would put runs in the
// current directory) with program_options' error, exit status 2.
std::string runs_dir_option(const boost::program_options::variables_map& options);

// What a command that reads runs looks at: the folders given, or else --runs-dir.
std::vector<std::filesystem::path> folders_or_runs_dir(const WordArguments& parsed);

// Prints "usage" and the options description.
void print_help(const std::string& usage, const std::string& about,
                const boost::program_options::options_description& options);

}  // namespace xp::cli
