#include "exp/memory_reuse.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace xp {

void reuse_freed_memory() {
#if defined(__GLIBC__)
  // Blocks up to 64 MB from the heap rather than their own mappings (unmapped again on
  // free), and the heap's top trimmed only beyond 512 MB.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

}  // namespace xp
