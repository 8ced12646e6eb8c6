// A parameter vector (or a gradient laid out like one) as one .npy file per named
// tensor, shaped as the tensor: what NumPy users load to check exp from outside.
//
//   xp::cli::write_tensor_files(run.folder("params"), model.layout(), theta);
//   // params/W1.npy (784, 50), params/b1.npy (50,), ...
#pragma once

#include <filesystem>

#include "exp/model.hpp"

namespace xp::cli {

// Creates folder if needed. Throws xp::Error when a file cannot be written.
void write_tensor_files(const std::filesystem::path& folder, const ParameterLayout& layout,
                        const Vector& values);

}  // namespace xp::cli
