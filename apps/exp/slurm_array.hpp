// A sweep on a Slurm cluster: one job array whose task i runs combination i. The
// script (sweep.sbatch, in the sweep folder) is written for people to read and to
// submit again by hand; sbatch submits it, choosing the combinations with --array;
// squeue says where each task is.
//
//   const std::string script = xp::cli::write_slurm_script(sweep, exp_program);
//   const std::string job = xp::cli::submit_slurm_array(sweep, {0, 1, 2, 3}, {});  // "812"
//   xp::cli::slurm_queue_states({"812"});   // {"812_0": "RUNNING", "812_1": "PENDING", ...}
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep_file.hpp"

namespace xp::cli {

inline constexpr const char* kSlurmScript = "sweep.sbatch";

// Throws xp::ConfigError (naming the option) for settings Slurm would refuse or
// that cannot be written into the script: a time that is not [D-]HH:MM:SS, counts
// below 1, an option with a line break or not starting with '-'.
void check_slurm_settings(const SlurmSettings& settings);

// Throws xp::ConfigError for a sweep folder (or the runs folder it will be in) whose
// path sbatch would misread: spaces, '%'.
void check_slurm_folder(const std::filesystem::path& folder);

// Writes <sweep folder>/sweep.sbatch: an array over every combination (at most
// max_parallel at once) whose task i runs `exp sweep --task i <sweep folder>` with
// exp_program. Returns its path. Throws xp::Error.
std::filesystem::path write_slurm_script(const Sweep& sweep,
                                         const std::filesystem::path& exp_program);

// "0-3", "1,3,5-7", then "%K" when max_parallel > 0: sbatch's --array syntax.
std::string slurm_array_indices(const std::vector<std::size_t>& indices, int max_parallel);

// Submits the sweep's script for the combinations listed, with more sbatch options
// (they override the script's #SBATCH lines); returns the array job's id. Throws
// xp::Error with sbatch's own message when it refuses or cannot be found.
std::string submit_slurm_array(const Sweep& sweep, const std::vector<std::size_t>& combinations,
                               const std::vector<std::string>& sbatch_options);

// Slurm's state of each array task of those jobs that squeue still knows ("812_3" ->
// "RUNNING", "PENDING", "CANCELLED", "TIMEOUT", ...). Empty where squeue is missing;
// a job Slurm has forgotten is left out.
std::map<std::string, std::string> slurm_queue_states(const std::vector<std::string>& jobs);

}  // namespace xp::cli
