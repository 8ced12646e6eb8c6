#include "exp/parameters.hpp"

#include "exp/error.hpp"

namespace xp {

std::string_view to_string(ParameterType type) {
  switch (type) {
    case ParameterType::integer: return "integer";
    case ParameterType::real: return "real";
    case ParameterType::boolean: return "boolean";
    case ParameterType::text: return "text";
    case ParameterType::integers: return "list of integers";
    case ParameterType::reals: return "list of reals";
    case ParameterType::path: return "path";
  }
  return "unknown";
}

const Parameters::Value& Parameters::at(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) throw Error("plugin asked for undeclared parameter '" + name + "'");
  return found->second;
}

namespace {
template <typename T>
const T& get(const Parameters::Value& value, const std::string& name, std::string_view wanted) {
  if (const T* typed = std::get_if<T>(&value)) return *typed;
  throw Error("plugin read parameter '" + name + "' as " + std::string(wanted) +
              ", which is not its declared type");
}
}  // namespace

std::int64_t Parameters::integer(const std::string& name) const {
  return get<std::int64_t>(at(name), name, "integer");
}

double Parameters::real(const std::string& name) const {
  const Value& value = at(name);
  if (const auto* whole = std::get_if<std::int64_t>(&value)) return double(*whole);
  return get<double>(value, name, "real");
}

bool Parameters::boolean(const std::string& name) const { return get<bool>(at(name), name, "boolean"); }

const std::string& Parameters::text(const std::string& name) const {
  return get<std::string>(at(name), name, "text");
}

std::vector<std::int64_t> Parameters::integers(const std::string& name) const {
  return get<std::vector<std::int64_t>>(at(name), name, "list of integers");
}

std::vector<double> Parameters::reals(const std::string& name) const {
  const Value& value = at(name);
  if (const auto* whole = std::get_if<std::vector<std::int64_t>>(&value)) {
    return std::vector<double>(whole->begin(), whole->end());
  }
  return get<std::vector<double>>(value, name, "list of reals");
}

}  // namespace xp
