#include "exp/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace xp {

// Workers sleep until a job is posted, then take blocks from a shared counter.
// Blocks are claimed dynamically (load balance), but each index is still computed
// by exactly one call, so results do not depend on which thread ran it.
struct ThreadPool::Impl {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  std::uint64_t generation = 0;
  bool stopping = false;

  // The job being run.
  const std::function<void(std::size_t, std::size_t)>* body = nullptr;
  std::size_t count = 0;
  std::size_t block = 1;
  std::atomic<std::size_t> next_block{0};
  std::size_t active = 0;
  std::exception_ptr failure;

  void work() {
    for (;;) {
      const std::size_t begin = next_block.fetch_add(block);
      if (begin >= count) return;
      try {
        (*body)(begin, std::min(count, begin + block));
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next_block = count;  // stop handing out blocks
      }
    }
  }

  void worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || generation != seen; });
        if (stopping) return;
        seen = generation;
      }
      work();
      std::lock_guard lock(mutex);
      if (--active == 0) done.notify_one();
    }
  }
};

ThreadPool::ThreadPool(unsigned threads) : impl_(std::make_unique<Impl>()) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < threads; ++i) impl_->workers.emplace_back([this] { impl_->worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  for (auto& worker : impl_->workers) worker.join();
}

unsigned ThreadPool::size() const { return unsigned(impl_->workers.size()) + 1; }

void ThreadPool::for_each_block(std::size_t count,
                                const std::function<void(std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  auto& s = *impl_;
  if (s.workers.empty()) {
    body(0, count);
    return;
  }
  {
    std::lock_guard lock(s.mutex);
    s.body = &body;
    s.count = count;
    // About eight blocks per thread: small enough to balance, large enough to amortise.
    s.block = std::max<std::size_t>(1, count / (8 * size()));
    s.next_block = 0;
    s.active = s.workers.size();
    s.failure = nullptr;
    ++s.generation;
  }
  s.wake.notify_all();
  s.work();
  std::unique_lock lock(s.mutex);
  s.done.wait(lock, [&] { return s.active == 0; });
  if (s.failure) std::rethrow_exception(s.failure);
}

}  // namespace xp
