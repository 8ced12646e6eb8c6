// Keeps the memory a process frees for its own reuse instead of returning it to the
// system. Each training step allocates and frees the same buffers (the fast path's
// per-batch caches, a megabyte or more); returned, they come back as fresh pages whose
// first writes fault one by one, and page faults serialise the threads that share the
// work. Peak memory is unchanged: it is reached at every step anyway.
//
//   int main() { xp::reuse_freed_memory(); ... }
#pragma once

namespace xp {

// Call once, first thing in main (glibc's malloc; elsewhere it does nothing).
void reuse_freed_memory();

}  // namespace xp
