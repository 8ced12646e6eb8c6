// A vector whose resize leaves new elements of trivial types uninitialised: for the
// setup's large buffers whose every element that is read is written first (in
// parallel), where value-initialisation would be a serial memset in every gradient.
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace xp::mlp {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  template <typename U>
  void construct(U* place) noexcept {
    ::new (static_cast<void*>(place)) U;  // default-initialised: no value for doubles
  }
  template <typename U, typename... Arguments>
  void construct(U* place, Arguments&&... arguments) {
    ::new (static_cast<void*>(place)) U(std::forward<Arguments>(arguments)...);
  }
};

template <typename T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace xp::mlp
