// Where each combination of a sweep stands, from what Slurm's queue says (while a task
// is pending or running) and from its run directory and sweep.yaml (once it ran):
// pending, running, completed, failed, diverged, cancelled (stopped by Slurm, with a
// checkpoint), interrupted, crashed, submitted (asked for, not yet seen), unknown (a
// task Slurm has forgotten that never started its run), lost (its run directory is
// gone).
//
//   const auto states = xp::cli::combination_states(sweep);
//   xp::cli::print_sweep_status(sweep, states, std::cout);
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sweep_file.hpp"

namespace xp::cli {

struct CombinationState {
  std::string state;  // one of the words above
  std::string queue;  // Slurm's word for its task ("RUNNING", "TIMEOUT"), "" when none
};

// One per combination, in sweep.yaml's order; asks squeue about the sweep's jobs.
std::vector<CombinationState> combination_states(const Sweep& sweep);

// Whether a combination is waiting for or using a Slurm allocation now.
bool in_queue(const CombinationState& state);

// A table of the combinations (number, state, Slurm task, combination, steps, test
// accuracy, run directory), then a line counting each state.
void print_sweep_status(const Sweep& sweep, const std::vector<CombinationState>& states,
                        std::ostream& out);

}  // namespace xp::cli
