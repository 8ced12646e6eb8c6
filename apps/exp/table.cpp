#include "table.hpp"

#include <algorithm>

namespace xp::cli {

Table::Table(std::vector<std::string> header, std::vector<bool> numeric)
    : header_(std::move(header)), numeric_(std::move(numeric)) {
  numeric_.resize(header_.size(), false);
}

void Table::add(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {

std::string markdown_cell(const std::string& text) {
  std::string cell;
  for (const char c : text) {
    if (c == '|') cell += '\\';
    cell += c;
  }
  return cell;
}

}  // namespace

void Table::print(std::ostream& out, TableFormat format) const {
  const std::size_t columns = header_.size();
  if (format == TableFormat::csv) {
    auto line = [&](const std::vector<std::string>& row) {
      for (std::size_t c = 0; c < columns; ++c) out << (c ? "," : "") << csv_field(row[c]);
      out << "\n";
    };
    line(header_);
    for (const auto& row : rows_) line(row);
    return;
  }
  if (format == TableFormat::markdown) {
    auto line = [&](const std::vector<std::string>& row) {
      out << "|";
      for (std::size_t c = 0; c < columns; ++c) out << " " << markdown_cell(row[c]) << " |";
      out << "\n";
    };
    line(header_);
    out << "|";
    for (std::size_t c = 0; c < columns; ++c) out << (numeric_[c] ? " ---: |" : " --- |");
    out << "\n";
    for (const auto& row : rows_) line(row);
    return;
  }
  std::vector<std::size_t> widths(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) {
    widths[c] = header_[c].size();
    for (const auto& row : rows_) widths[c] = std::max(widths[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string padding(widths[c] - row[c].size(), ' ');
      if (c) text += "  ";
      text += numeric_[c] ? padding + row[c] : row[c] + padding;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header_);
  for (const auto& row : rows_) line(row);
}

}  // namespace xp::cli
