// What a run shows while it trains. On a terminal, one live line redrawn in place
// (at most ten times a second, so it never flickers); elsewhere (a pipe, a CI log) a
// plain line every total/20 steps, so a run of any length prints about twenty. Both
// print the book's line at every evaluation (`train acc, test acc | 0.9012, 0.8954`;
// the config's train.evaluate_every says how often) and a closing line. The record
// stream (log.txt) gets the plain lines in either mode, never a redraw.
//
//   xp::ProgressDisplay progress(std::cout, xp::stdout_is_terminal(), &log_file);
//   trainer.run(theta, rng, {&progress});
//
//   live:  [#########...........] 4500/10000  loss 0.2871  812.4 steps/s  ETA 0:07  test acc 0.9125
//   plain: step 4500/10000  loss 0.2871  812.4 steps/s  ETA 0:07  test acc 0.9125
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

#include "exp/callbacks.hpp"

namespace xp {

// True when standard output is a terminal that understands "clear to end of line"
// (TERM is not "dumb").
bool stdout_is_terminal();

class ProgressDisplay : public TrainingCallback {
 public:
  struct Options {
    // Ten redraws a second reads as smooth and costs nothing next to a step.
    double redraw_seconds = 0.1;
    // Plain lines per run: enough to see the trend in a log, few enough to read.
    std::size_t plain_lines = 20;
    // Width the live line is cut to (a wrapped line could not be redrawn in place);
    // 0: the terminal's width, else 80.
    std::size_t columns = 0;
  };

  // console: where the run is watched (a live line when terminal, else plain lines);
  // record: gets the plain lines in both modes (may be null).
  ProgressDisplay(std::ostream& console, bool terminal, std::ostream* record = nullptr);
  ProgressDisplay(std::ostream& console, bool terminal, std::ostream* record, Options options);

  void begin(const TrainingPlan& plan) override;
  bool step_taken(const StepRecord& record) override;
  void evaluated(const EvaluationRecord& record) override;
  void end(const TrainingOutcome& outcome) override;

  // Steps between two plain lines for a run of total steps.
  static std::size_t plain_interval(std::size_t total, std::size_t lines);

 private:
  using Clock = std::chrono::steady_clock;
  std::string status_text(const StepRecord& record) const;
  void print_line(const std::string& line, bool on_console);
  void redraw(const StepRecord& record);
  void clear_live_line();

  std::ostream& console_;
  bool terminal_;
  std::ostream* record_;
  Options options_;
  std::size_t total_ = 0;
  std::size_t interval_ = 1;
  std::optional<std::size_t> first_step_;  // of this process (a resumed run starts later)
  Clock::time_point started_;
  std::optional<Clock::time_point> drawn_at_;
  bool live_shown_ = false;
  std::optional<StepRecord> last_step_;
  std::optional<double> test_accuracy_;
  std::size_t columns_ = 80;
};

}  // namespace xp
