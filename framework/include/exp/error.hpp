// Errors a user can act on. The message is complete: what was wrong, where
// (file:line:column, key path, plugin file), what was expected.
//
//   throw xp::ConfigError("configs/a.yaml:3:5: optimizer.lr: expected a number, found 'fast'");
#pragma once

#include <stdexcept>
#include <string>

namespace xp {

// Anything the framework reports to the user; `exp` prints what() on one line.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~Error() override;
};

// A mistake in a config file, an override or a command line: exit status 2,
// and no run directory is created.
class ConfigError : public Error {
 public:
  using Error::Error;
  ~ConfigError() override;
};

// Thrown by a plugin's factory when one of its parameters has a value it cannot
// use. The framework turns it into a ConfigError that points at the config key.
class ParameterError : public Error {
 public:
  ParameterError(std::string parameter, const std::string& problem)
      : Error(problem), parameter_(std::move(parameter)) {}
  ~ParameterError() override;
  const std::string& parameter() const { return parameter_; }

 private:
  std::string parameter_;
};

}  // namespace xp
