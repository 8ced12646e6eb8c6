// A fixed pool of worker threads for the per-parameter loops.
//
//   pool.for_each_block(n, [&](std::size_t begin, std::size_t end) { ... });
//
// Work is split into contiguous blocks and each index is computed by exactly one
// call, so any result that depends only on its own index is bit-identical
// whatever the number of threads. A job posted while the pool runs another (a
// plugin's nested loop, from a block or from a thread of another pool a block uses, or
// from another thread) runs whole, body(0, count), on the thread that posts it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace xp {

class ThreadPool {
 public:
  explicit ThreadPool(unsigned threads);  // 0 means one per hardware thread
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const;

  // Calls body(begin, end) over blocks covering [0, count); returns when all are done.
  // The calling thread works too. An exception from any block is rethrown here. Blocks
  // shrink as the job goes (a share of what is left each, at least count / (256 threads)
  // but for the last), so that the threads finish together even when the indices
  // differ in cost.
  void for_each_block(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body);
  // The same with blocks of `block` indices (the last may be shorter): 1 for a job whose
  // items differ widely in cost, so that no thread takes several costly ones at once.
  // Blocks are handed out in increasing order, so a block may wait for an earlier one
  // to begin or end: that one's thread is on it (unless it threw: a block waited for
  // must not throw). A pool of one thread calls body(0, count) once, as above.
  void for_each_block(std::size_t count, std::size_t block,
                      const std::function<void(std::size_t, std::size_t)>& body);

 private:
  // block 0: blocks that shrink as the job goes (guided); else blocks of `block`.
  void run(std::size_t count, std::size_t block,
           const std::function<void(std::size_t, std::size_t)>& body);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xp
