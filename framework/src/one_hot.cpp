#include "exp/one_hot.hpp"

#include <string>

#include "exp/error.hpp"

namespace xp {

void one_hot(std::span<const int> labels, std::size_t classes, Matrix& targets) {
  targets.setZero(Eigen::Index(labels.size()), Eigen::Index(classes));
  for (std::size_t n = 0; n < labels.size(); ++n) {
    const int label = labels[n];
    if (label < 0 || std::size_t(label) >= classes) {
      throw Error("one-hot target: label " + std::to_string(label) + " of sample " +
                  std::to_string(n) + " is outside 0.." + std::to_string(classes) + "-1");
    }
    targets(Eigen::Index(n), label) = 1.0;
  }
}

}  // namespace xp
