#include "exp/callbacks.hpp"

#include <time.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"
#include "exp/number_format.hpp"

namespace xp {

TrainingCallback::~TrainingCallback() = default;

namespace {

std::string optional_text(const std::optional<double>& value) { return value ? repr(*value) : ""; }

// The book's epochs as whole numbers (3, not 3.0); the final evaluation's fraction in full.
std::string epoch_text(double epoch) {
  return epoch == std::floor(epoch) ? std::to_string(std::uint64_t(epoch)) : repr(epoch);
}

}  // namespace

namespace {

// Keeps the header and the first `rows` rows of a CSV file, dropping any after
// them (the rows a run wrote after its last checkpoint).
void cut_to_rows(const std::filesystem::path& file, std::size_t rows) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot read (" + std::strerror(errno) + ")");
  std::uintmax_t kept = 0;
  std::size_t lines = 0;
  for (std::string line; lines < rows + 1 && std::getline(in, line); ++lines) {
    if (in.eof()) break;  // a last line without its newline was cut short by a crash
    kept += line.size() + 1;
  }
  if (lines < rows + 1) {
    throw Error(file.string() + ": has " + std::to_string(lines == 0 ? 0 : lines - 1) +
                " complete rows, the checkpoint expects at least " + std::to_string(rows));
  }
  in.close();
  std::filesystem::resize_file(file, kept);
}

}  // namespace

MetricFiles::MetricFiles(const RunDirectory& run, std::size_t flush_every,
                         std::optional<MetricRows> continue_after)
    : steps_file_(run.file("metrics.csv")),
      epochs_file_(run.file("epochs.csv")),
      quality_file_(run.file("gradient_quality.csv")),
      flush_every_(flush_every),
      rows_(continue_after.value_or(MetricRows{})) {
  const auto open = [&](std::ofstream& out, const std::string& name, const char* header,
                        std::size_t rows) {
    if (continue_after) cut_to_rows(run.file(name), rows);
    out.open(run.file(name),
             continue_after ? std::ios::out | std::ios::app : std::ios::out | std::ios::trunc);
    if (!out)
      throw Error(run.file(name).string() + ": cannot write (" + std::strerror(errno) + ")");
    if (!continue_after) out << header << '\n';
  };
  open(steps_, "metrics.csv", "step,epoch,loss,seconds,evaluations", rows_.steps);
  open(epochs_, "epochs.csv", "epoch,step,train_loss,train_accuracy,test_accuracy",
       rows_.evaluations);
  if (continue_after && std::filesystem::exists(quality_file_)) {
    open(quality_, "gradient_quality.csv", "", rows_.qualities);
  }
}

void MetricFiles::gradient_measured(const GradientQuality& quality) {
  if (!quality_.is_open()) {
    quality_.open(quality_file_, std::ios::out | std::ios::trunc);
    quality_ << "step,cosine,relative_error,sign_agreement,estimate_norm,true_norm\n";
  }
  quality_ << quality.step + 1 << ',' << repr(quality.cosine) << ',' << repr(quality.relative_error)
           << ',' << repr(quality.sign_agreement) << ',' << repr(quality.estimate_norm) << ','
           << repr(quality.true_norm) << '\n';
  ++rows_.qualities;
}

bool MetricFiles::step_taken(const StepRecord& record) {
  steps_ << record.step + 1 << ',' << record.epoch << ',' << repr(record.loss) << ','
         << repr(record.seconds) << ',' << record.evaluations << '\n';
  ++rows_.steps;
  if (++unflushed_ >= flush_every_) flush();
  return false;
}

void MetricFiles::evaluated(const EvaluationRecord& record) {
  epochs_ << epoch_text(record.epoch) << ',' << record.step + 1 << ',' << repr(record.train_loss) << ','
          << optional_text(record.train_accuracy) << ',' << optional_text(record.test_accuracy)
          << '\n';
  ++rows_.evaluations;
  flush();
}

void MetricFiles::end(const TrainingOutcome&) { flush(); }

void MetricFiles::flush() {
  steps_.flush();
  epochs_.flush();
  if (quality_.is_open()) quality_.flush();
  unflushed_ = 0;
  // A row that did not reach the disk must not be counted by a checkpoint.
  const auto check = [](const std::ofstream& stream, const std::filesystem::path& file) {
    if (!stream) throw WriteError(file.string() + ": write failed (" + std::strerror(errno) + ")");
  };
  check(steps_, steps_file_);
  check(epochs_, epochs_file_);
  if (quality_.is_open()) check(quality_, quality_file_);
}

bool SummaryUpdater::step_taken(const StepRecord& record) {
  summary_.steps = record.step + 1;
  summary_.final_loss = record.loss;
  summary_.wall_seconds = record.seconds;
  summary_.steps_per_second = record.seconds > 0 ? double(summary_.steps) / record.seconds : 0.0;
  summary_.spent.evaluations = record.evaluations;
  return false;
}

void SummaryUpdater::evaluated(const EvaluationRecord& record) {
  summary_.final_train_accuracy = record.train_accuracy;
  summary_.final_test_accuracy = record.test_accuracy;
  if (record.test_accuracy &&
      (!summary_.best_test_accuracy || *record.test_accuracy > *summary_.best_test_accuracy)) {
    summary_.best_test_accuracy = record.test_accuracy;
  }
  if (written_at_ && summary_.wall_seconds - *written_at_ < interval_) return;
  written_at_ = summary_.wall_seconds;
  run_.replace_atomically("summary.json", summary_.to_json());
}

namespace {
volatile std::sig_atomic_t g_signal = 0;
// CLOCK_MONOTONIC nanoseconds of the first signal (clock_gettime may be called from a
// handler; a lock-free atomic may be written there).
std::atomic<long long> g_signal_time{0};
static_assert(std::atomic<long long>::is_always_lock_free);

long long monotonic_nanoseconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec;
}

extern "C" void remember_signal(int number) {
  if (g_signal_time.load() == 0) g_signal_time = monotonic_nanoseconds();
  g_signal = number;
}
}  // namespace

struct StopOnSignal::Saved {
  struct sigaction interrupt {};
  struct sigaction terminate {};
};

StopOnSignal::StopOnSignal() : saved_(std::make_unique<Saved>()) {
  g_signal = 0;
  g_signal_time = 0;
  struct sigaction action {};
  action.sa_handler = &remember_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &saved_->interrupt);
  sigaction(SIGTERM, &action, &saved_->terminate);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &saved_->interrupt, nullptr);
  sigaction(SIGTERM, &saved_->terminate, nullptr);
}

bool StopOnSignal::step_taken(const StepRecord&) { return requested(); }

bool StopOnSignal::requested() { return g_signal != 0; }

int StopOnSignal::signal_number() { return int(g_signal); }

double StopOnSignal::seconds_since_signal() {
  // The time is stored first; read as 0 (the handler is on another thread, between its
  // two stores), it is a signal that has just arrived.
  const long long at = g_signal_time.load();
  if (g_signal == 0 || at == 0) return 0.0;
  return double(monotonic_nanoseconds() - at) * 1e-9;
}

}  // namespace xp
