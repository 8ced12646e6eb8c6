#include "exp/progress_display.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "exp/number_format.hpp"

namespace xp {

namespace {

constexpr const char* kClearToEndOfLine = "\x1b[K";
constexpr std::size_t kBarWidth = 10;

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// 0:07, 12:34, 1:02:03.
std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  const auto total = static_cast<unsigned long long>(std::llround(seconds));
  char text[48];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", total / 3600, total / 60 % 60,
                  total % 60);
  } else {
    std::snprintf(text, sizeof text, "%llu:%02llu", total / 60, total % 60);
  }
  return text;
}

// A slow run (numerical gradients on a big net) reads better as seconds per step.
std::string speed_text(double steps_per_second) {
  if (steps_per_second <= 0) return "- steps/s";
  if (steps_per_second < 1) return printed("%.1f s/step", 1.0 / steps_per_second);
  if (steps_per_second < 100) return printed("%.1f steps/s", steps_per_second);
  return printed("%.0f steps/s", steps_per_second);
}

std::size_t terminal_columns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long value = std::strtol(columns, nullptr, 10);
    if (value > 0) return std::size_t(value);
  }
  return 80;
}

}  // namespace

bool stdout_is_terminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) != 0 && (term == nullptr || std::strcmp(term, "dumb") != 0);
}

ProgressDisplay::ProgressDisplay(std::ostream& console, bool terminal, std::ostream* record)
    : ProgressDisplay(console, terminal, record, Options{}) {}

ProgressDisplay::ProgressDisplay(std::ostream& console, bool terminal, std::ostream* record,
                                 Options options)
    : console_(console), terminal_(terminal), record_(record), options_(options) {
  if (terminal_) columns_ = options_.columns ? options_.columns : terminal_columns();
}

std::size_t ProgressDisplay::plain_interval(std::size_t total, std::size_t lines) {
  if (lines == 0) lines = 1;
  return std::max<std::size_t>(1, (total + lines - 1) / lines);
}

void ProgressDisplay::begin(const TrainingPlan& plan) {
  total_ = plan.total_steps;
  interval_ = plain_interval(total_, options_.plain_lines);
  started_ = Clock::now();
}

std::string ProgressDisplay::status_text(const StepRecord& record) const {
  const std::size_t done = record.step + 1;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  const std::size_t here = done - first_step_.value_or(record.step);
  const double rate = elapsed > 0 ? double(here) / elapsed : 0.0;
  std::string text = std::to_string(done) + "/" + std::to_string(total_) + "  loss " +
                     printed("%.4g", record.loss) + "  " + speed_text(rate);
  if (total_ > done && rate > 0) text += "  ETA " + duration_text(double(total_ - done) / rate);
  if (test_accuracy_) text += "  test acc " + printed("%.4f", *test_accuracy_);
  return text;
}

bool ProgressDisplay::step_taken(const StepRecord& record) {
  if (!first_step_) first_step_ = record.step;
  last_step_ = record;
  const std::size_t done = record.step + 1;
  const bool finished = done >= total_;
  if (done % interval_ == 0 || finished) print_line("step " + status_text(record), !terminal_);
  if (terminal_) {
    const auto now = Clock::now();
    if (!drawn_at_ || finished ||
        std::chrono::duration<double>(now - *drawn_at_).count() >= options_.redraw_seconds) {
      redraw(record);
    }
  }
  return false;
}

void ProgressDisplay::evaluated(const EvaluationRecord& record) {
  if (record.test_accuracy) test_accuracy_ = record.test_accuracy;
  // Every evaluation, as the book prints it: the config chose how often.
  if (record.train_accuracy && record.test_accuracy) {
    print_line("train acc, test acc | " + repr(*record.train_accuracy) + ", " +
                   repr(*record.test_accuracy),
               true);
  } else if (record.train_accuracy) {
    print_line("train acc | " + repr(*record.train_accuracy), true);
  }
  // The live line comes back at once, showing the new test accuracy.
  if (terminal_ && last_step_) redraw(*last_step_);
}

void ProgressDisplay::end(const TrainingOutcome& outcome) {
  std::string line = std::string(to_string(outcome.status)) + ": " + std::to_string(outcome.steps) +
                     " steps in " + repr(outcome.wall_seconds) + " s (" +
                     repr(outcome.steps_per_second()) + " steps/s)";
  if (outcome.final_loss) line += ", final loss " + repr(*outcome.final_loss);
  if (outcome.diverged_step)
    line += "; the loss diverged at step " + std::to_string(*outcome.diverged_step);
  print_line(line, true);
}

void ProgressDisplay::print_line(const std::string& line, bool on_console) {
  if (on_console) {
    clear_live_line();
    console_ << line << std::endl;
  }
  if (record_) *record_ << line << std::endl;
}

void ProgressDisplay::redraw(const StepRecord& record) {
  const std::size_t done = std::min(record.step + 1, total_);
  const std::size_t filled = total_ ? done * kBarWidth / total_ : kBarWidth;
  std::string line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] " +
                     status_text(record);
  // A line that wraps cannot be redrawn in place: cut it to the terminal's width,
  // asked again each time (ten calls a second at most) so a resized window is followed.
  if (options_.columns == 0) columns_ = terminal_columns();
  if (columns_ > 1 && line.size() > columns_ - 1) line.resize(columns_ - 1);
  console_ << '\r' << line << kClearToEndOfLine << std::flush;
  live_shown_ = true;
  drawn_at_ = Clock::now();
}

void ProgressDisplay::clear_live_line() {
  if (!live_shown_) return;
  console_ << '\r' << kClearToEndOfLine;
  live_shown_ = false;
}

}  // namespace xp
