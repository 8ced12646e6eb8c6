// The progress display driven directly, in both modes: what reaches the console and
// what reaches the record (log.txt). No timing is asserted: redraws are either
// forced every step (redraw_seconds = 0) or held back for good (1e9 s).
#define BOOST_TEST_MODULE progress display
#include "exp/progress_display.hpp"

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "exp/number_format.hpp"
#include "exp/run_log.hpp"
#include "test_support.hpp"

namespace {

constexpr std::size_t kSteps = 150;
constexpr std::size_t kEvaluateEvery = 50;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

std::size_t lines_starting(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::size_t(std::count_if(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.rfind(prefix, 0) == 0;
  }));
}

// A run of kSteps steps with an evaluation every kEvaluateEvery steps, as the trainer
// drives its callbacks.
void drive(xp::ProgressDisplay& display, std::size_t steps = kSteps) {
  display.begin({kSteps, kEvaluateEvery, 600, 50});
  for (std::size_t step = 0; step < steps; ++step) {
    display.step_taken({step, step / kEvaluateEvery, 1.0 / double(step + 1), 0.01 * double(step)});
    if ((step + 1) % kEvaluateEvery == 0) {
      display.evaluated({double(step / kEvaluateEvery), step, 0.5, 0.9012, 0.8954});
    }
  }
  xp::TrainingOutcome outcome;
  outcome.status = steps == kSteps ? xp::RunStatus::completed : xp::RunStatus::interrupted;
  outcome.steps = steps;
  outcome.wall_seconds = 1.5;
  outcome.final_loss = 1.0 / double(steps);
  display.end(outcome);
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_interval_gives_about_twenty_lines_for_any_length) {
  BOOST_TEST(xp::ProgressDisplay::plain_interval(150, 20) == 8u);
  BOOST_TEST(xp::ProgressDisplay::plain_interval(10000, 20) == 500u);
  BOOST_TEST(xp::ProgressDisplay::plain_interval(5, 20) == 1u);
  BOOST_TEST(xp::ProgressDisplay::plain_interval(0, 20) == 1u);
  BOOST_TEST(xp::ProgressDisplay::plain_interval(100, 0) == 100u);
}

BOOST_AUTO_TEST_CASE(plain_mode_prints_a_line_every_interval_and_the_book_lines) {
  std::ostringstream console, record;
  xp::ProgressDisplay display(console, false, &record);
  drive(display);
  const std::string text = console.str();
  BOOST_TEST(text.find('\r') == std::string::npos);
  BOOST_TEST(text.find('\x1b') == std::string::npos);
  const auto lines = lines_of(text);
  // Steps 8, 16, ..., 144 and the last one: 19 step lines; 3 evaluations; the end.
  BOOST_TEST(lines_starting(lines, "step ") == 19u);
  BOOST_TEST(lines_starting(lines, "train acc, test acc | 0.9012, 0.8954") == 3u);
  BOOST_TEST(lines.size() == 19u + 3u + 1u);
  BOOST_TEST(lines.front().rfind("step 8/150  loss 0.125  ", 0) == 0, lines.front());
  BOOST_TEST(lines.back() ==
             "completed: 150 steps in 1.5 s (100.0 steps/s), final loss " + xp::repr(1.0 / 150.0));
  // Once test accuracy is known, the step lines show it.
  const auto line_of = [&](const std::string& prefix) {
    const auto found = std::find_if(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.rfind(prefix, 0) == 0;
    });
    return found == lines.end() ? std::string() : *found;
  };
  BOOST_TEST(line_of("step 48/150").find("test acc") == std::string::npos);
  BOOST_TEST(line_of("step 56/150").find("  test acc 0.8954") != std::string::npos);
  // The record (log.txt) gets exactly what the console got.
  BOOST_TEST(record.str() == text);
}

BOOST_AUTO_TEST_CASE(terminal_mode_redraws_in_place_and_records_plain_lines) {
  std::ostringstream console, record;
  xp::ProgressDisplay::Options every_step;
  every_step.redraw_seconds = 0;
  xp::ProgressDisplay display(console, true, &record, every_step);
  drive(display);
  const std::string text = console.str();
  // A redraw per step and one after each evaluation, each clearing what it replaces.
  BOOST_TEST(count_of(text, "\r[") == kSteps + 3);
  BOOST_TEST(count_of(text, "\x1b[K") >= kSteps + 3);
  BOOST_TEST(text.find("\r[##########] 150/150  loss ") != std::string::npos);
  // Lines on the console: only the evaluations and the closing line, never a step line.
  const auto lines = lines_of(text);
  BOOST_TEST(lines.size() == 4u);
  BOOST_TEST(count_of(text, "train acc, test acc | 0.9012, 0.8954\n") == 3u);
  BOOST_TEST(count_of(text, "step ") == 0u);
  // Nothing is left on the live line after the closing line.
  BOOST_TEST(text.size() > 0);
  BOOST_TEST(text.back() == '\n');
  BOOST_TEST(lines.back().find("completed: 150 steps") != std::string::npos);

  // The record has the plain lines, as plain mode prints them, and no redraw.
  const std::string recorded = record.str();
  BOOST_TEST(recorded.find('\r') == std::string::npos);
  BOOST_TEST(recorded.find('\x1b') == std::string::npos);
  const auto recorded_lines = lines_of(recorded);
  BOOST_TEST(lines_starting(recorded_lines, "step ") == 19u);
  BOOST_TEST(recorded_lines.size() == 19u + 3u + 1u);
}

BOOST_AUTO_TEST_CASE(terminal_mode_holds_redraws_back_between_intervals) {
  std::ostringstream console;
  xp::ProgressDisplay::Options rarely;
  rarely.redraw_seconds = 1e9;
  xp::ProgressDisplay display(console, true, nullptr, rarely);
  drive(display);
  // The first step, one after each of the three evaluations, and the last step.
  BOOST_TEST(count_of(console.str(), "\r[") == 5u);
}

BOOST_AUTO_TEST_CASE(live_line_is_cut_to_the_terminal_width) {
  std::ostringstream console;
  xp::ProgressDisplay::Options narrow;
  narrow.redraw_seconds = 0;
  narrow.columns = 40;
  xp::ProgressDisplay display(console, true, nullptr, narrow);
  drive(display);
  const std::string text = console.str();
  std::size_t redraws = 0;
  for (auto at = text.find("\r["); at != std::string::npos; at = text.find("\r[", at + 1)) {
    const auto clear = text.find("\x1b[K", at);
    BOOST_TEST_REQUIRE(clear != std::string::npos);
    BOOST_TEST(clear - at - 1 <= 39u);
    ++redraws;
  }
  BOOST_TEST(redraws == kSteps + 3);
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_ends_on_a_clean_line) {
  std::ostringstream console, record;
  xp::ProgressDisplay::Options every_step;
  every_step.redraw_seconds = 0;
  xp::ProgressDisplay display(console, true, &record, every_step);
  drive(display, 70);
  const std::string text = console.str();
  const auto closing = text.rfind("interrupted: 70 steps");
  BOOST_TEST_REQUIRE(closing != std::string::npos);
  // The live line was cleared right before the closing line.
  BOOST_TEST(text.substr(closing - 4, 4) == "\r\x1b[K");
  BOOST_TEST(lines_starting(lines_of(record.str()), "step ") == 8u);  // 8, 16, ..., 64
}

BOOST_AUTO_TEST_CASE(run_log_file_side_reaches_the_file_but_not_the_console) {
  const auto folder = xp::test::fresh_directory("exp-display-log");
  std::ostringstream console;
  {
    xp::RunLog log(console);
    log.stream() << "both, early\n";
    log.file() << "file only, early\n";
    log.open(folder / "log.txt");
    log.console() << "console only\n";
    log.file() << "file only\n";
    log.stream() << "both\n";
  }
  BOOST_TEST(console.str() == "both, early\nconsole only\nboth\n");
  BOOST_TEST(xp::test::read_file(folder / "log.txt") ==
             "both, early\nfile only, early\nfile only\nboth\n");
}

BOOST_AUTO_TEST_CASE(every_evaluation_prints_the_book_line_as_the_book_does) {
  // The book prints its line at every evaluation; the step lines stay about twenty.
  std::ostringstream console;
  xp::ProgressDisplay display(console, false, nullptr);
  display.begin({kSteps, 1, 50, 50});
  for (std::size_t step = 0; step < kSteps; ++step) {
    display.step_taken({step, step, 0.5, 0.0});
    display.evaluated({double(step), step, 0.5, 0.75, 0.01 * double(step)});
  }
  const auto lines = lines_of(console.str());
  BOOST_TEST(lines_starting(lines, "train acc, test acc | 0.75, ") == kSteps);
  BOOST_TEST(lines_starting(lines, "step ") == 19u);
  // In order, each once: the line after step k shows test accuracy 0.01 * k.
  std::vector<std::string> book;
  for (const auto& line : lines) {
    if (line.rfind("train acc", 0) == 0) book.push_back(line);
  }
  for (std::size_t step = 0; step < kSteps; ++step) {
    BOOST_TEST(book[step] == "train acc, test acc | 0.75, " + xp::repr(0.01 * double(step)));
  }
}
