// What `exp sweep` shows while its runs go: one line per running combination (its
// number in grid order, its overrides, and the last progress line its `exp run`
// printed: step/total, loss, test accuracy). On a terminal the block of lines is
// redrawn in place twice a second; elsewhere a combination's line is printed when it
// changed, at most every `plain_interval`.
//
//   SweepProgress progress(std::cout, isatty(STDOUT_FILENO));
//   progress.show(running);   // combination index -> its output file
//   progress.clear();         // before printing a line of one's own
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>

#include "sweep_file.hpp"

namespace xp::cli {

class SweepProgress {
 public:
  SweepProgress(const Sweep& sweep, std::ostream& out, bool terminal,
                std::chrono::seconds plain_interval = std::chrono::seconds(5));

  // running: combination -> the file its `exp run` prints to.
  void show(const std::map<std::size_t, std::filesystem::path>& running);
  // Removes the redrawn block (terminal), so that other output starts on a clean line.
  void clear();

 private:
  std::string line_of(std::size_t index, const std::filesystem::path& output) const;

  const Sweep& sweep_;
  std::ostream& out_;
  bool terminal_;
  std::chrono::seconds plain_interval_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::size_t drawn_lines_ = 0;
  std::map<std::size_t, std::string> printed_;  // plain mode: the last line per combination
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace xp::cli
