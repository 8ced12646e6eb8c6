// A small JSON writer for files users read with other tools: numbers are JSON
// numbers (shortest round-trip; NaN and infinities, which JSON lacks, become null).
// Boost.PropertyTree's writer would quote every number.
//
//   xp::JsonWriter json;
//   json.begin_object().key("status").value("completed").key("steps").value(100).end_object();
//   std::string text = json.text();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xp {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(std::int64_t(number)); }
  JsonWriter& value(unsigned number) { return value(std::uint64_t(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(std::optional<double> number);  // null when absent
  JsonWriter& null();

  // The document, indented two spaces per level, ending in a newline.
  std::string text() const { return out_ + "\n"; }

  static std::string quoted(std::string_view text);

 private:
  void before_value();
  void newline();
  std::string out_;
  // Per open container: whether it has an element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace xp
