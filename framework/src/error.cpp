#include "exp/error.hpp"

namespace xp {

// Out-of-line destructors anchor the vtables and type information in libexp, so
// an exception thrown in a plugin is caught by type in the executable.
Error::~Error() = default;
ConfigError::~ConfigError() = default;
ParameterError::~ParameterError() = default;

}  // namespace xp
