#include "exp/run_summary.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include "exp/json_writer.hpp"

namespace xp {

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::running:
      return "running";
    case RunStatus::completed:
      return "completed";
    case RunStatus::diverged:
      return "diverged";
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::failed:
      return "failed";
    case RunStatus::crashed:
      return "crashed";
  }
  return "failed";
}

std::optional<RunStatus> run_status_from_string(std::string_view word) {
  for (const RunStatus status : {RunStatus::running, RunStatus::completed, RunStatus::diverged,
                                 RunStatus::interrupted, RunStatus::failed, RunStatus::crashed}) {
    if (to_string(status) == word) return status;
  }
  return std::nullopt;
}

std::string RunSummary::to_json() const {
  JsonWriter json;
  json.begin_object();
  json.key("status").value(to_string(status));
  if (!error.empty()) json.key("error").value(error);
  json.key("experiment").value(experiment);
  json.key("run").value(run);
  json.key("started").value(started_utc);
  json.key("steps").value(std::uint64_t(steps));
  json.key("total_steps").value(std::uint64_t(total_steps));
  if (diverged_step) json.key("diverged_step").value(std::uint64_t(*diverged_step));
  json.key("final_loss").value(final_loss);
  json.key("final_train_accuracy").value(final_train_accuracy);
  json.key("final_test_accuracy").value(final_test_accuracy);
  json.key("best_test_accuracy").value(best_test_accuracy);
  json.key("wall_seconds").value(wall_seconds);
  json.key("steps_per_second").value(steps_per_second);
  json.key("loss_evaluations").value(spent.evaluations);
  json.key("evaluations_per_step")
      .value(steps == 0 ? std::optional<double>() : double(spent.evaluations) / double(steps));
  json.key("forward_passes").value(spent.forward_passes);
  json.key("derivative_passes").value(spent.derivative_passes);
  const auto mean = [&](double sum) {
    return quality.count == 0 ? std::optional<double>() : sum / double(quality.count);
  };
  json.key("gradient_quality_measurements").value(std::uint64_t(quality.count));
  json.key("mean_cosine").value(mean(quality.cosine));
  json.key("mean_relative_error").value(mean(quality.relative_error));
  json.key("mean_sign_agreement").value(mean(quality.sign_agreement));
  json.key("seed").value(seed);
  json.key("threads").value(threads);
  json.key("processes").value(std::uint64_t(processes));
  json.key("host").value(host);
  if (!hosts.empty()) {
    json.key("hosts").begin_array();
    for (const auto& name : hosts) json.value(name);
    json.end_array();
    json.key("communication_seconds").value(communication_seconds);
  }
  json.key("pid").value(std::int64_t(pid));
  json.key("resumed").begin_array();
  for (const auto& resumption : resumed) {
    json.begin_object();
    json.key("at_step").value(std::uint64_t(resumption.at_step));
    json.key("utc").value(resumption.utc);
    json.end_object();
  }
  json.end_array();
  json.key("compiler").value(build.compiler);
  json.key("build_type").value(build.build_type);
  json.key("build_flags").value(build.flags);
  json.key("libraries").begin_object();
  for (const auto& [library, version] : build.libraries) json.key(library).value(version);
  json.end_object();
  json.key("git_commit").value(source.commit);
  json.key("git_dirty").value(source.dirty);
  json.key("plugins").begin_array();
  for (const auto& plugin : plugins) {
    json.begin_object();
    json.key("kind").value(plugin.kind);
    json.key("name").value(plugin.name);
    json.key("version").value(plugin.version);
    json.key("file").value(plugin.file);
    json.key("sha256").value(plugin.sha256);
    json.end_object();
  }
  json.end_array();
  json.key("plugins_changed").begin_array();
  for (const auto& change : plugins_changed) json.value(change);
  json.end_array();
  json.key("data").begin_array();
  for (const auto& record : data) {
    json.begin_object();
    json.key("file").value(record.file);
    json.key("sha256").value(record.sha256);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return json.text();
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace xp
