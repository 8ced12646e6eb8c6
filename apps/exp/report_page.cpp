#include "report_page.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "exp/json_writer.hpp"
#include "exp/run_summary.hpp"
#include "report_assets.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// A CSV cell as a JSON number: the file's own digits, or null for what JSON lacks.
std::string json_number(const std::string& cell) {
  if (!parse_number(cell) || cell.find_first_of("nNiI") != std::string::npos) return "null";
  return cell;
}

// Seconds to the microsecond are plenty for a time axis, and half the bytes.
std::string json_seconds(const std::string& cell) {
  const auto value = parse_number(cell);
  if (!value || !std::isfinite(*value)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", *value);
  return text;
}

// Whether a column of JSON numbers reads 0,1,2,...: the page counts those itself.
bool counts_from_zero(const std::string& column) {
  std::size_t expected = 0;
  std::stringstream cells(column);
  for (std::string cell; std::getline(cells, cell, ','); ++expected) {
    if (cell != std::to_string(expected)) return false;
  }
  return true;
}

// {"step": [0, 1, ...], "loss": [...], ...}: a CSV file by columns, compactly (a
// report of 100 runs of 10,000 steps holds millions of numbers). Columns named in
// `left_out` are left out; a `step` column that counts 0, 1, 2, ... is null.
std::string csv_columns(const fs::path& file, const std::set<std::string>& left_out = {}) {
  std::ifstream stream(file);
  std::string line;
  if (!std::getline(stream, line)) return "null";
  std::vector<std::string> names;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  std::vector<std::string> columns(names.size());
  while (std::getline(stream, line)) {
    std::stringstream cells(line);
    std::size_t c = 0;
    for (std::string cell; c < names.size() && std::getline(cells, cell, ','); ++c) {
      if (!columns[c].empty()) columns[c] += ',';
      columns[c] += names[c] == "seconds" ? json_seconds(cell) : json_number(cell);
    }
    // A row cut short (a run being written) fills the rest with null.
    for (; c < names.size(); ++c) columns[c] += columns[c].empty() ? "null" : ",null";
  }
  std::string json = "{";
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (left_out.count(names[c])) continue;
    json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(names[c]) + ":";
    json += names[c] == "step" && counts_from_zero(columns[c]) ? "null" : "[" + columns[c] + "]";
  }
  return json + "}";
}

std::string string_map(const std::map<std::string, std::string>& values) {
  std::string json = "{";
  for (const auto& [key, value] : values)
    json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(key) + ":" + JsonWriter::quoted(value);
  return json + "}";
}

std::string string_list(const std::vector<std::string>& values) {
  std::string json = "[";
  for (const auto& value : values) json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(value);
  return json + "]";
}

std::string run_json(const RunRecord& run, const std::string& label, bool with_pictures) {
  const fs::path dir = fs::absolute(run.dir).lexically_normal();
  std::map<std::string, std::string> pictures;
  if (with_pictures) {
    for (const char* picture : {"loss.svg", "accuracy.svg"}) {
      if (fs::is_regular_file(dir / picture)) pictures[picture] = file_text(dir / picture);
    }
  }
  std::string json = "{";
  json += "\"name\":" + JsonWriter::quoted(run.name);
  json += ",\"dir\":" + JsonWriter::quoted(dir.string());
  json += ",\"label\":" + JsonWriter::quoted(label);
  json += ",\"status\":" + JsonWriter::quoted(run.status());
  json += ",\"started\":" + JsonWriter::quoted(run.started());
  json += ",\"config\":" + string_map(run.config);
  json += ",\"config_text\":" + JsonWriter::quoted(file_text(dir / "config.yaml"));
  json += ",\"command\":" + JsonWriter::quoted(file_text(dir / "command.txt"));
  json += ",\"summary_text\":" + JsonWriter::quoted(file_text(dir / "summary.json"));
  // metrics.csv's epoch column is left out: the page places steps between epochs.
  json += ",\"metrics\":" + csv_columns(dir / "metrics.csv", {"epoch"});
  json += ",\"epochs\":" + csv_columns(dir / "epochs.csv");
  json += ",\"pictures\":" + string_map(pictures);
  return json + "}";
}

// The data the page reads, as JSON that is safe inside a <script> element: "</" is
// written "<\/" so that no string can close the element.
std::string report_data(const std::vector<RunRecord>& runs, const std::string& title) {
  const auto keys = runs.size() > 1 ? result_keys(differing_keys(runs)) : std::vector<std::string>{};
  const auto labels = run_labels(runs, keys);
  std::string json = "{\"title\":" + JsonWriter::quoted(title);
  json += ",\"generated\":" + JsonWriter::quoted(utc_now());
  json += ",\"keys\":" + string_list(keys);
  json += ",\"runs\":[";
  for (std::size_t r = 0; r < runs.size(); ++r)
    json += (r ? "," : "") + run_json(runs[r], labels[r], runs.size() == 1);
  json += "]}";
  std::string safe;
  safe.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    safe += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') safe += '\\';
  }
  return safe;
}

std::string html_escaped(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// Replaces each occurrence of marker in page; what is put in is not searched again.
void fill(std::string& page, const std::string& marker, std::string_view content) {
  for (auto at = page.find(marker); at != std::string::npos;
       at = page.find(marker, at + content.size())) {
    page.replace(at, marker.size(), content);
  }
}

}  // namespace

std::string report_page(const std::vector<RunRecord>& runs, const ReportOptions& options) {
  const std::string title = !options.title.empty() ? options.title
                            : runs.size() == 1      ? "exp report: " + runs[0].name
                                                    : "exp report: " + std::to_string(runs.size()) + " runs";
  std::string page(report_assets::page_template);
  // Filled in this order, so that no inserted text is searched for the next marker.
  fill(page, "@EXP_TITLE@", html_escaped(title));
  fill(page, "@EXP_UPLOT_LICENSE@", report_assets::uplot_license);
  fill(page, "@EXP_STYLE@", std::string(report_assets::uplot_css) + "\n" +
                                std::string(report_assets::page_css));
  fill(page, "@EXP_SCRIPT@", std::string(report_assets::uplot_js) + "\n" +
                                 std::string(report_assets::page_js));
  fill(page, "@EXP_DATA@", report_data(runs, title));
  return page;
}

}  // namespace xp::cli
