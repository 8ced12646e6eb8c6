// One-hot targets from class labels, as the book's load_mnist(one_hot_label=True):
// row n has a 1 in column labels[n] and 0 elsewhere.
//
//   xp::Matrix targets;
//   xp::one_hot({2, 0}, 3, targets);  // [[0, 0, 1], [1, 0, 0]]
#pragma once

#include <cstddef>
#include <span>

#include "exp/tensor.hpp"

namespace xp {

// Resizes targets to labels.size() x classes. Throws xp::Error for a label outside
// [0, classes) (a dataset bug: datasets validate labels when they read them).
void one_hot(std::span<const int> labels, std::size_t classes, Matrix& targets);

}  // namespace xp
