// The processes that compute one run together: MPI ranks under `mpirun -np N exp run`,
// or this process alone. The framework splits per-parameter work (finite differences)
// between them and gathers the result on every one; plugins never see it.
//
//   xp::ProcessGroup& group = objective.group();
//   group.all_gather(gradient.data(), bounds);  // each process filled its own part
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace xp {

class ProcessGroup {
 public:
  virtual ~ProcessGroup();
  virtual std::size_t rank() const { return 0; }
  virtual std::size_t size() const { return 1; }
  // values[bounds[r], bounds[r + 1]) comes from process r, on every process. bounds
  // has size() + 1 entries, the same on every process.
  virtual void all_gather(double* values, const std::vector<std::size_t>& bounds);
  // True on every process when it is true on any (a stop asked of one rank only).
  virtual bool any(bool flag);
  // Rank 0's text on every process (a checkpoint that only rank 0 can read).
  virtual void broadcast(std::string& text);
  // This host's name and the other processes', by rank.
  virtual std::vector<std::string> hosts() const;
  // Seconds this process has spent in the calls above: the transfers, and the wait
  // for processes that finished their share later.
  virtual double communication_seconds() const { return 0.0; }
};

// The group of one process: every call is a no-op.
ProcessGroup& single_process();

// Splits [0, count) between the processes of a group so that each takes about the
// same time: after each use the seconds every process spent on its part are recorded,
// and the next split puts the boundaries where the measured cost, spread evenly over
// each part's parameters, is equal. Weights of pixels that are blank in a batch cost
// nearly nothing, so equal counts would leave some processes waiting. Every process
// records the same gathered seconds, so every process computes the same bounds.
class BalancedSplit {
 public:
  // size + 1 ascending bounds from 0 to count.
  const std::vector<std::size_t>& bounds(std::size_t count, std::size_t size);
  // seconds[r]: what process r spent on its part of the latest bounds.
  void record(const std::vector<double>& seconds);

 private:
  std::vector<std::size_t> bounds_;
};

}  // namespace xp
