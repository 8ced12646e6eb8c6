#include "tensor_files.hpp"

#include "exp/npy.hpp"

namespace xp::cli {

void write_tensor_files(const std::filesystem::path& folder, const ParameterLayout& layout,
                        const Vector& values) {
  std::filesystem::create_directories(folder);
  for (const auto& tensor : layout.tensors()) {
    const auto shape = tensor.is_vector ? std::vector<std::size_t>{tensor.size()}
                                        : std::vector<std::size_t>{tensor.rows, tensor.cols};
    write_npy(folder / (tensor.name + ".npy"), values.data() + tensor.offset, shape);
  }
}

}  // namespace xp::cli
