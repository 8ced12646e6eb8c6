#include "sweep_status.hpp"

#include <map>
#include <set>

#include "run_records.hpp"
#include "slurm_array.hpp"
#include "table.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kWaiting = {"PENDING", "REQUEUED", "REQUEUE_HOLD", "RESIZING"};
const std::set<std::string> kActive = {"RUNNING",  "CONFIGURING", "COMPLETING",
                                       "SUSPENDED", "STAGE_OUT",  "SIGNALING"};
// The task ended without a word from exp (killed before it could write, or never
// started): Slurm's reason is all there is.
const std::map<std::string, std::string> kEndedBySlurm = {
    {"CANCELLED", "cancelled"}, {"TIMEOUT", "cancelled"},  {"PREEMPTED", "cancelled"},
    {"DEADLINE", "cancelled"},  {"FAILED", "failed"},      {"NODE_FAIL", "failed"},
    {"BOOT_FAIL", "failed"},    {"OUT_OF_MEMORY", "failed"}};

std::vector<std::string> sweep_jobs(const Sweep& sweep) {
  std::vector<std::string> jobs = sweep.slurm.jobs;
  // Tasks record their own job: that finds a sweep.sbatch submitted by hand too.
  for (const auto& combination : sweep.combinations) {
    if (!combination.job.empty()) jobs.push_back(combination.job.substr(0, combination.job.find('_')));
  }
  return jobs;
}

CombinationState state_of(const Sweep& sweep, const SweepCombination& combination,
                          const std::map<std::string, std::string>& queue) {
  CombinationState result;
  if (const auto found = queue.find(combination.job); found != queue.end())
    result.queue = found->second;
  if (kWaiting.count(result.queue)) {
    result.state = "pending";
  } else if (kActive.count(result.queue)) {
    result.state = "running";
  } else if (!combination.run.empty() && !is_run_directory(sweep.folder / combination.run)) {
    result.state = "lost";
  } else if (!combination.run.empty()) {
    result.state = read_run(sweep.folder / combination.run).status();
    // A run Slurm stopped reads `interrupted`: its task recorded why.
    if (result.state == "interrupted" && combination.status == "cancelled")
      result.state = "cancelled";
  } else if (combination.status == "submitted" || combination.status == "running") {
    const auto ended = kEndedBySlurm.find(result.queue);
    if (ended != kEndedBySlurm.end()) {
      result.state = ended->second;
    } else if (combination.job.empty() || !result.queue.empty()) {
      result.state = combination.status;
    } else {
      result.state = "unknown";
    }
  } else {
    result.state = combination.status;
  }
  return result;
}

std::string steps_of(const Sweep& sweep, const SweepCombination& combination) {
  if (combination.run.empty() || !is_run_directory(sweep.folder / combination.run)) return "-";
  const RunRecord run = read_run(sweep.folder / combination.run);
  const std::string steps = run.field("steps");
  const std::string total = run.field("total_steps");
  if (steps.empty()) return "-";
  return total.empty() ? steps : steps + "/" + total;
}

std::string test_accuracy_of(const Sweep& sweep, const SweepCombination& combination) {
  if (combination.run.empty() || !is_run_directory(sweep.folder / combination.run)) return "-";
  const auto accuracy = read_run(sweep.folder / combination.run).number("final_test_accuracy");
  if (!accuracy) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", *accuracy);
  return text;
}

}  // namespace

std::vector<CombinationState> combination_states(const Sweep& sweep) {
  std::map<std::string, std::string> queue;
  if (sweep.launcher == "slurm" || !sweep_jobs(sweep).empty())
    queue = slurm_queue_states(sweep_jobs(sweep));
  std::vector<CombinationState> states;
  for (const auto& combination : sweep.combinations)
    states.push_back(state_of(sweep, combination, queue));
  return states;
}

bool in_queue(const CombinationState& state) {
  return kWaiting.count(state.queue) || kActive.count(state.queue);
}

void print_sweep_status(const Sweep& sweep, const std::vector<CombinationState>& states,
                        std::ostream& out) {
  Table table({"#", "state", "slurm", "combination", "steps", "test_acc", "run"},
              {true, false, false, false, true, true, false});
  std::map<std::string, int> counts;
  for (std::size_t i = 0; i < sweep.combinations.size(); ++i) {
    const SweepCombination& combination = sweep.combinations[i];
    std::string slurm = combination.job.empty() ? "-" : combination.job;
    if (!states[i].queue.empty()) slurm += " " + states[i].queue;
    table.add({std::to_string(i + 1), states[i].state, slurm, combination.label(),
               steps_of(sweep, combination), test_accuracy_of(sweep, combination),
               combination.run.empty() ? "-" : combination.run});
    ++counts[states[i].state];
  }
  table.print(out, TableFormat::aligned);
  std::string tally;
  for (const auto& [state, count] : counts)
    tally += (tally.empty() ? "" : ", ") + std::to_string(count) + " " + state;
  out << sweep.combinations.size() << " combinations: " << tally << "\n";
}

}  // namespace xp::cli
