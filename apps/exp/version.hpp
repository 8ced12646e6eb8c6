// exp --version: what a bug report needs: the version and plugin API, the source
// revision, how it was built, and the vector instructions this CPU offers the
// finite-difference kernels.
#pragma once

#include <ostream>

namespace xp::cli {

void print_version(std::ostream& out);

}  // namespace xp::cli
