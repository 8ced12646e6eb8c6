// Turning a config's YAML mapping into a plugin's checked Parameters.
#include <charconv>
#include <cmath>
#include <sstream>

#include "exp/plugin_registry.hpp"
#include "exp/suggest.hpp"

namespace xp {
namespace {

struct Problem {
  const std::string& key_path;
  const YAML::Node& node;
  const Locate& locate;

  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(locate(key_path, node) + ": " + key_path + ": " + what);
  }
};

std::string shown(const YAML::Node& node) {
  if (!node || node.IsNull()) return "nothing";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  YAML::Emitter out;
  out << YAML::Flow << node;
  return std::string(node.IsSequence() ? "a list " : "a mapping ") + out.c_str();
}

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_real(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The shortest text that reads back as the same double ("0.1", not "0.10000000000000001").
std::string number_text(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

void check_range(const ParameterSpec& spec, double value, const Problem& problem) {
  const bool below = spec.minimum_inclusive ? value < spec.minimum : value <= spec.minimum;
  const bool above = spec.maximum_inclusive ? value > spec.maximum : value >= spec.maximum;
  if (!below && !above) return;
  std::string expected;
  if (std::isfinite(spec.minimum)) {
    expected += std::string(spec.minimum_inclusive ? ">= " : "> ") + number_text(spec.minimum);
  }
  if (std::isfinite(spec.maximum)) {
    expected += std::string(expected.empty() ? "" : " and ") + (spec.maximum_inclusive ? "<= " : "< ") +
                number_text(spec.maximum);
  }
  problem.fail("expected a value " + expected + ", found " + number_text(value));
}

std::int64_t integer_from(const ParameterSpec& spec, const YAML::Node& node, const Problem& problem) {
  const auto value = node.IsScalar() ? parse_integer(node.Scalar()) : std::nullopt;
  if (!value) problem.fail("expected an integer, found " + shown(node));
  check_range(spec, double(*value), problem);
  return *value;
}

double real_from(const ParameterSpec& spec, const YAML::Node& node, const Problem& problem) {
  const auto value = node.IsScalar() ? parse_real(node.Scalar()) : std::nullopt;
  if (!value) problem.fail("expected a number, found " + shown(node));
  check_range(spec, *value, problem);
  return *value;
}

std::vector<std::string> split_choices(const char* choices) {
  std::vector<std::string> words;
  std::stringstream in(choices);
  std::string word;
  while (std::getline(in, word, '|')) words.push_back(word);
  return words;
}

std::string text_from(const ParameterSpec& spec, const YAML::Node& node, const Problem& problem) {
  if (!node.IsScalar()) problem.fail("expected text, found " + shown(node));
  const std::string& text = node.Scalar();
  if (spec.choices == nullptr) return text;
  const auto words = split_choices(spec.choices);
  if (std::find(words.begin(), words.end(), text) == words.end()) {
    problem.fail("expected one of " + std::string(spec.choices) + ", found '" + text + "'" +
                 did_you_mean(text, words));
  }
  return text;
}

bool boolean_from(const YAML::Node& node, const Problem& problem) {
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "yes") return true;
    if (text == "false" || text == "False" || text == "no") return false;
  }
  problem.fail("expected true or false, found " + shown(node));
}

// A scalar where a list is expected is a list of one (`model.hidden=100`).
std::vector<YAML::Node> elements(const YAML::Node& node, const Problem& problem, std::string_view type) {
  std::vector<YAML::Node> items;
  if (node.IsScalar()) {
    items.push_back(node);
  } else if (node.IsSequence()) {
    for (const auto& item : node) items.push_back(item);
  } else {
    problem.fail("expected a " + std::string(type) + ", found " + shown(node));
  }
  return items;
}

}  // namespace

std::string locate_by_mark(const std::string& file, const YAML::Node& node) {
  if (!node || node.Mark().is_null()) return file;
  return file + ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
}

Parameters::Value parameter_value(const ParameterSpec& spec, const YAML::Node& node,
                                  const std::string& key_path, const Locate& locate) {
  const Problem problem{key_path, node, locate};
  switch (spec.type) {
    case ParameterType::integer: return integer_from(spec, node, problem);
    case ParameterType::real: return real_from(spec, node, problem);
    case ParameterType::boolean: return boolean_from(node, problem);
    case ParameterType::text: return text_from(spec, node, problem);
    case ParameterType::path: {
      const std::string text = text_from(spec, node, problem);
      if (text.empty()) problem.fail("expected a path, found an empty one");
      std::error_code error;
      const std::filesystem::path absolute = std::filesystem::absolute(text, error);
      if (error) problem.fail("'" + text + "' cannot be made absolute: " + error.message());
      return absolute.lexically_normal().string();
    }
    case ParameterType::integers: {
      std::vector<std::int64_t> values;
      for (const auto& item : elements(node, problem, to_string(spec.type))) {
        values.push_back(integer_from(spec, item, Problem{key_path, item, locate}));
      }
      return values;
    }
    case ParameterType::reals: {
      std::vector<double> values;
      for (const auto& item : elements(node, problem, to_string(spec.type))) {
        values.push_back(real_from(spec, item, Problem{key_path, item, locate}));
      }
      return values;
    }
  }
  problem.fail("parameter has an unknown declared type");
}

Parameters resolve_parameters(const PluginInfo& info, const YAML::Node& given,
                              const std::string& key_path, const Locate& locate) {
  if (given && !given.IsNull() && !given.IsMap()) {
    Problem{key_path, given, locate}.fail("expected a mapping of parameters, found " + shown(given));
  }
  std::vector<std::string> declared;
  for (const auto& spec : info.parameters) declared.emplace_back(spec.name);
  if (given && given.IsMap()) {
    for (const auto& entry : given) {
      const std::string key = entry.first.Scalar();
      if (key == "name") continue;
      if (std::find(declared.begin(), declared.end(), key) == declared.end()) {
        std::string list;
        for (const auto& name : declared) list += (list.empty() ? "" : ", ") + name;
        Problem{key_path + "." + key, entry.first, locate}.fail(
            std::string(to_string(info.kind)) + " '" + info.name + "' has no parameter '" + key + "'" +
            did_you_mean(key, declared) + "; its parameters: " + (list.empty() ? "none" : list));
      }
    }
  }
  Parameters parameters;
  for (const auto& spec : info.parameters) {
    const std::string path = key_path + "." + spec.name;
    const YAML::Node value = given && given.IsMap() ? given[spec.name] : YAML::Node();
    if (value && !value.IsNull()) {
      parameters.set(spec.name, parameter_value(spec, value, path, locate));
    } else if (spec.default_value != nullptr) {
      const Locate at_plugin = [&](const std::string&, const YAML::Node&) {
        return std::string("default of ") + info.name;
      };
      parameters.set(spec.name, parameter_value(spec, YAML::Load(spec.default_value), path, at_plugin));
    } else {
      Problem{path, given, locate}.fail("required parameter of " + std::string(to_string(info.kind)) +
                                        " '" + info.name + "' is missing (" + spec.meaning + ")");
    }
  }
  return parameters;
}

YAML::Node to_yaml(const Parameters::Value& value) {
  return std::visit(
      [](const auto& v) -> YAML::Node {
        using T = std::decay_t<decltype(v)>;
        YAML::Node node;
        if constexpr (std::is_same_v<T, double>) {
          node = number_text(v);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          node = YAML::Node(YAML::NodeType::Sequence);
          for (double x : v) node.push_back(number_text(x));
          node.SetStyle(YAML::EmitterStyle::Flow);
        } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
          node = v;
          node.SetStyle(YAML::EmitterStyle::Flow);
        } else {
          node = v;
        }
        return node;
      },
      value);
}

}  // namespace xp
