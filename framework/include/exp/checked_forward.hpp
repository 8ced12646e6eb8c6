// A model's forward pass, held to the shape every caller relies on.
//
// A loss reads batch targets and labels by output row, an accuracy count compares
// each output row with its label: a forward pass that returned another number of rows
// would have them read past the end of the batch. Every forward pass the framework
// makes goes through here, so a plugin that breaks the contract is a one-line error.
#pragma once

#include "exp/model.hpp"

namespace xp {

// Throws Error unless a forward pass of `rows` input rows returned one row of outputs
// per row of inputs and, for a batch that is not empty, at least one column.
void check_forward_shape(const Matrix& outputs, Eigen::Index rows);

// outputs = model.forward(theta, inputs), then check_forward_shape.
void checked_forward(const Model& model, const Vector& theta, const Matrix& inputs,
                     Matrix& outputs);

}  // namespace xp
