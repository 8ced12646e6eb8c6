// A table of text cells printed aligned for people, as CSV for programs, or as
// Markdown for notes (compare, ls, sweep).
//
//   xp::cli::Table table({"run", "loss"}, {false, true});
//   table.add({"synthetic/20240131T120000Z-a1b2c3", "0.0412"});
//   table.print(std::cout, xp::cli::TableFormat::aligned);
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace xp::cli {

enum class TableFormat { aligned, csv, markdown };

class Table {
 public:
  // numeric[c]: column c holds numbers, so it is right-aligned.
  Table(std::vector<std::string> header, std::vector<bool> numeric);

  void add(std::vector<std::string> row);  // as many cells as the header
  std::size_t size() const { return rows_.size(); }

  void print(std::ostream& out, TableFormat format) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;
};

// RFC 4180: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);

}  // namespace xp::cli
