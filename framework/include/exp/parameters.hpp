// What a plugin declares about its parameters, and the checked values it receives.
//
//   constexpr xp::ParameterSpec kParameters[] = {
//       {.name = "lr", .type = xp::ParameterType::real, .default_value = "0.01",
//        .meaning = "learning rate", .minimum = 0.0, .minimum_inclusive = false},
//   };
//   double lr = parameters.real("lr");
//
// The framework checks every value in a config against these declarations (type,
// range, choices, no undeclared keys) before a factory sees it, and fills defaults.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace xp {

// path: a file or folder name, made absolute (against the current directory) when
// the config is resolved, so that the recorded config and `exp resume` do not depend
// on where exp was started; plugins read it with Parameters::text.
enum class ParameterType : std::uint32_t { integer, real, boolean, text, integers, reals, path };

// The word a config and an error message use for each type ("integer", "list of reals").
std::string_view to_string(ParameterType type);

struct ParameterSpec {
  const char* name = "";
  ParameterType type = ParameterType::real;
  // The default as YAML text ("0.01", "[50]", "sigmoid"); nullptr means required.
  const char* default_value = nullptr;
  const char* meaning = "";
  // For text parameters: the accepted words separated by '|' ("sigmoid|relu|tanh").
  const char* choices = nullptr;
  // Bounds apply to numbers and to every element of a list of numbers.
  double minimum = -std::numeric_limits<double>::infinity();
  bool minimum_inclusive = true;
  double maximum = std::numeric_limits<double>::infinity();
  bool maximum_inclusive = true;
};

// The two shapes of hyper-parameter that recur across plugins, declared once.
// A step size: a real > 0 (lr, h).
constexpr ParameterSpec positive_real(const char* name, const char* default_value, const char* meaning) {
  return {.name = name, .type = ParameterType::real, .default_value = default_value,
          .meaning = meaning, .minimum = 0.0, .minimum_inclusive = false};
}
// A decay or momentum: the fraction of something kept each step, in [0, 1).
constexpr ParameterSpec kept_fraction(const char* name, const char* default_value, const char* meaning) {
  return {.name = name, .type = ParameterType::real, .default_value = default_value,
          .meaning = meaning, .minimum = 0.0, .maximum = 1.0, .maximum_inclusive = false};
}

// The checked, defaulted parameters of one plugin instance. Accessors throw
// xp::Error if a plugin asks for a name or type it did not declare (a plugin bug).
class Parameters {
 public:
  using Value = std::variant<std::int64_t, double, bool, std::string, std::vector<std::int64_t>,
                             std::vector<double>>;

  void set(const std::string& name, Value value) { values_[name] = std::move(value); }
  bool contains(const std::string& name) const { return values_.count(name) != 0; }

  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;  // an integer value is widened
  bool boolean(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  std::vector<std::int64_t> integers(const std::string& name) const;
  std::vector<double> reals(const std::string& name) const;

  const std::map<std::string, Value>& values() const { return values_; }

 private:
  const Value& at(const std::string& name) const;
  std::map<std::string, Value> values_;
};

}  // namespace xp
