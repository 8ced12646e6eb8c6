#include "slurm_array.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "child_process.hpp"
#include "exp/error.hpp"
#include "exp/run_directory.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The #SBATCH lines: what the sweep asks of Slurm.
std::vector<std::string> sbatch_directives(const Sweep& sweep) {
  const SlurmSettings& slurm = sweep.slurm;
  std::vector<std::size_t> every(sweep.combinations.size());
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
  std::vector<std::string> lines = {
      "--job-name=exp-" + fs::absolute(sweep.folder).filename().string(),
      "--array=" + slurm_array_indices(every, slurm.max_parallel),
      // %A_%a: the array job and task; what `exp run` prints is in output/<n>.txt.
      "--output=" + (fs::absolute(sweep.folder) / "output" / "slurm-%A_%a.txt").string()};
  if (!slurm.partition.empty()) lines.push_back("--partition=" + slurm.partition);
  if (!slurm.time.empty()) lines.push_back("--time=" + slurm.time);
  if (slurm.cpus_per_task > 0)
    lines.push_back("--cpus-per-task=" + std::to_string(slurm.cpus_per_task));
  if (slurm.nodes_per_run > 1) {
    lines.push_back("--nodes=" + std::to_string(slurm.nodes_per_run));
    lines.push_back("--ntasks-per-node=1");  // one exp process per node, its threads inside
  }
  for (const auto& option : slurm.options) lines.push_back(option);
  return lines;
}

// sbatch splits #SBATCH lines at spaces and expands % in --output, and a line break
// would end a comment line of the script: such paths and values are refused.
void check_script_text(const Sweep& sweep, const fs::path& exp_program) {
  const std::string folder = fs::absolute(sweep.folder).string();
  check_slurm_folder(folder);
  std::vector<std::string> texts = {sweep.config, exp_program.string(), folder};
  texts.insert(texts.end(), sweep.overrides.begin(), sweep.overrides.end());
  for (const auto& combination : sweep.combinations)
    texts.insert(texts.end(), combination.overrides.begin(), combination.overrides.end());
  for (const auto& text : texts) {
    if (text.find_first_of("\r\n") != std::string::npos)
      throw ConfigError("'" + text + "': a line break cannot go into sweep.sbatch");
  }
}

}  // namespace

void check_slurm_folder(const fs::path& folder) {
  const std::string path = fs::absolute(folder).string();
  if (path.find_first_of(" \t%") != std::string::npos)
    throw ConfigError(path + ": a Slurm sweep folder's path cannot hold spaces or '%' "
                      "(sbatch's --output); choose another --runs-dir");
}

void check_slurm_settings(const SlurmSettings& settings) {
  if (!settings.time.empty() &&
      !std::regex_match(settings.time, std::regex(R"((\d+-)?\d+(:\d{1,2}){0,2})")))
    throw ConfigError("--time '" + settings.time + "': expected HH:MM:SS (or D-HH:MM:SS, MM)");
  if (settings.cpus_per_task < 0)
    throw ConfigError("--cpus-per-task " + std::to_string(settings.cpus_per_task) +
                      ": expected 1 or more");
  if (settings.max_parallel < 0)
    throw ConfigError("--max-parallel " + std::to_string(settings.max_parallel) +
                      ": expected 1 or more");
  if (settings.nodes_per_run < 1)
    throw ConfigError("--nodes-per-run " + std::to_string(settings.nodes_per_run) +
                      ": expected 1 or more");
  for (const auto& option : settings.options) {
    if (option.rfind("-", 0) != 0 || option.find_first_of("\r\n") != std::string::npos)
      throw ConfigError("--slurm-option '" + option +
                        "': expected one sbatch option on one line, e.g. --account=NAME");
  }
  if (settings.partition.find_first_of(" \t\r\n") != std::string::npos)
    throw ConfigError("--partition '" + settings.partition + "': expected a partition name");
}

std::string slurm_array_indices(const std::vector<std::size_t>& indices, int max_parallel) {
  std::string text;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t last = i;
    while (last + 1 < indices.size() && indices[last + 1] == indices[last] + 1) ++last;
    if (!text.empty()) text += ",";
    text += std::to_string(indices[i]);
    if (last > i) text += "-" + std::to_string(indices[last]);
    i = last + 1;
  }
  if (max_parallel > 0) text += "%" + std::to_string(max_parallel);
  return text;
}

fs::path write_slurm_script(const Sweep& sweep, const fs::path& exp_program) {
  check_script_text(sweep, exp_program);
  const fs::path folder = fs::absolute(sweep.folder);
  std::ostringstream script;
  script << "#!/bin/bash\n"
         << "# exp sweep: " << sweep.combinations.size() << " combinations of " << sweep.config
         << "\n# as one Slurm job array. Array task i runs combination i (below, as in "
            "sweep.yaml):\n"
         << "# `exp sweep --task i` continues that combination's stopped run (exp resume) or\n"
         << "# starts it (exp run) into this folder, and records it in sweep.yaml.\n"
         << "#   follow:   exp sweep --status " << folder.string() << "\n"
         << "#   continue: exp sweep --resume " << folder.string()
         << " --launcher slurm   (what did not complete)\n";
  if (sweep.slurm.nodes_per_run > 1)
    script << "# Each combination is one `mpirun exp run` over the task's " << sweep.slurm.nodes_per_run
           << " nodes.\n";
  for (const auto& line : sbatch_directives(sweep)) script << "#SBATCH " << line << "\n";
  script << "#\n# combinations";
  if (!sweep.overrides.empty()) script << " (each with " << shell_quoted(sweep.overrides) << ")";
  script << ":\n";
  for (std::size_t i = 0; i < sweep.combinations.size(); ++i)
    script << "#   " << i << "  " << sweep.combinations[i].label() << "\n";
  script << "exec " << shell_quoted({exp_program.string()}) << " sweep --task \"$SLURM_ARRAY_TASK_ID\" "
         << shell_quoted({folder.string()}) << "\n";
  // Slurm does not make the folder of --output: without it a task fails to start.
  fs::create_directories(sweep.folder / "output");
  const fs::path file = sweep.folder / kSlurmScript;
  std::ofstream stream(file, std::ios::trunc);
  stream << script.str();
  stream.close();
  if (!stream) throw Error(file.string() + ": cannot write");
  fs::permissions(file, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  return file;
}

std::string submit_slurm_array(const Sweep& sweep, const std::vector<std::size_t>& combinations,
                               const std::vector<std::string>& sbatch_options) {
  std::vector<std::string> arguments = {
      "--parsable", "--array=" + slurm_array_indices(combinations, sweep.slurm.max_parallel)};
  arguments.insert(arguments.end(), sbatch_options.begin(), sbatch_options.end());
  arguments.push_back(fs::absolute(sweep.folder / kSlurmScript).string());
  const ProgramResult result = run_program("sbatch", arguments);
  if (result.exit_status == 127)
    throw Error("sbatch not found: --launcher slurm needs Slurm's client commands in PATH");
  const std::string output = trimmed(result.output);
  // --parsable prints "<job id>" or "<job id>;<cluster>", after any warnings.
  const std::string last_line = output.substr(output.find_last_of('\n') + 1);
  const std::string job = last_line.substr(0, last_line.find(';'));
  if (result.exit_status != 0 || job.empty() ||
      job.find_first_not_of("0123456789") != std::string::npos)
    throw Error("sbatch refused " + (sweep.folder / kSlurmScript).string() + ": " + output);
  return job;
}

std::map<std::string, std::string> slurm_queue_states(const std::vector<std::string>& jobs) {
  std::map<std::string, std::string> states;
  // One job at a time: squeue refuses the whole list when one job is forgotten.
  for (const auto& job : std::set<std::string>(jobs.begin(), jobs.end())) {
    const ProgramResult result =
        run_program("squeue", {"--noheader", "--array", "--states=all", "--jobs=" + job,
                               "--format=%i %T"});
    if (result.exit_status == 127) return {};  // no squeue: not on a Slurm host
    // A job Slurm no longer remembers is refused by name; any other failure (the
    // controller not answering) must not read as "every task gone".
    if (result.exit_status != 0 && result.output.find("Invalid job id") != std::string::npos)
      continue;
    if (result.exit_status != 0)
      throw Error("squeue cannot say where job " + job + " is: " + trimmed(result.output));
    std::istringstream lines(result.output);
    for (std::string task, state; lines >> task >> state;) states[task] = state;
  }
  return states;
}

}  // namespace xp::cli
