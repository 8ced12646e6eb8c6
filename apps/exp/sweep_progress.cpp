#include "sweep_progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fstream>

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

// The last "step ..." line a run printed ("step 200/500  loss 0.11  ...  test acc 0.98").
std::string last_step_line(const fs::path& output) {
  std::ifstream stream(output);
  std::string last;
  for (std::string line; std::getline(stream, line);) {
    // A terminal's redraws never reach the file; plain lines end in '\n'.
    const auto start = line.rfind('\r');
    if (start != std::string::npos) line = line.substr(start + 1);
    if (line.rfind("step ", 0) == 0) last = line;
  }
  return last;
}

// Columns of the terminal on stdout (80 when it cannot say): a redrawn line must not
// wrap, or moving up over the block would miss lines.
std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

SweepProgress::SweepProgress(const Sweep& sweep, std::ostream& out, bool terminal,
                             std::chrono::seconds plain_interval)
    : sweep_(sweep), out_(out), terminal_(terminal), plain_interval_(plain_interval) {}

std::string SweepProgress::line_of(std::size_t index, const fs::path& output) const {
  const std::string step = last_step_line(output);
  return "[" + std::to_string(index + 1) + "/" + std::to_string(sweep_.combinations.size()) +
         "] running  " + sweep_.combinations[index].label() + "  " +
         (step.empty() ? "starting" : step);
}

void SweepProgress::show(const std::map<std::size_t, fs::path>& running) {
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    if (now - last_draw_ < std::chrono::milliseconds(500)) return;
    last_draw_ = now;
    clear();
    const std::size_t width = terminal_width() - 1;
    for (const auto& [index, output] : running) out_ << line_of(index, output).substr(0, width) << "\n";
    drawn_lines_ = running.size();
    out_.flush();
    return;
  }
  if (now - last_plain_ < plain_interval_) return;
  last_plain_ = now;
  for (const auto& [index, output] : running) {
    const std::string line = line_of(index, output);
    if (printed_[index] == line) continue;
    printed_[index] = line;
    out_ << line << "\n";
  }
  out_.flush();
}

void SweepProgress::clear() {
  // Up one line and erase it, for each line of the block.
  for (; drawn_lines_ > 0; --drawn_lines_) out_ << "\x1b[1A\x1b[2K";
  out_ << std::flush;
}

}  // namespace xp::cli
