#include "exp/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace xp {

namespace {

// Workers and the caller spin this many rounds (about 100 microseconds) before they
// sleep: a finite-difference step posts several jobs of tens of microseconds each
// (the shortcut's setup), and waking a sleeping thread costs about as much again.
constexpr int kSpinRounds = 4000;

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Block boundaries that shrink as the job goes (guided scheduling): each block is a
// share of what is left, so early blocks are large (few calls, little per-block set-up)
// and the last ones small, and no thread is left with a long block while the others
// wait. The boundaries depend only on the count and the number of threads. The
// floor, count / (256 threads), keeps the last blocks of a gradient's parameters
// short: a thread that takes the last one leaves the others waiting for it alone.
std::vector<std::size_t> guided_bounds(std::size_t count, std::size_t threads) {
  const std::size_t smallest = std::max<std::size_t>(1, count / (256 * threads));
  std::vector<std::size_t> bounds{0};
  for (std::size_t at = 0; at < count;) {
    const std::size_t share = (count - at + 2 * threads - 1) / (2 * threads);
    at += std::min(count - at, std::max(smallest, share));
    bounds.push_back(at);
  }
  return bounds;
}

}  // namespace

// Workers sleep until a job is posted, then take blocks from a shared counter.
// Blocks are claimed dynamically (load balance), but each index is still computed
// by exactly one call, so results do not depend on which thread ran it.
struct ThreadPool::Impl {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  std::atomic<std::uint64_t> generation{0};
  // A job is running: a job posted meanwhile (from one of its blocks, from a thread of
  // another pool that one of its blocks uses, or from another thread) runs whole on
  // the thread that posts it, since the workers are not free (and may be waiting for it).
  std::atomic<bool> busy{false};
  std::atomic<bool> stopping{false};

  // The job being run.
  const std::function<void(std::size_t, std::size_t)>* body = nullptr;
  std::size_t count = 0;
  std::size_t block = 1;            // fixed-size blocks of this many indices,
  std::vector<std::size_t> bounds;  // or, when not empty, these (guided_bounds)
  std::atomic<std::size_t> next_block{0};
  std::atomic<std::size_t> active{0};
  std::exception_ptr failure;

  // Runs blocks until none is left; block i is [i * block, ...) or [bounds[i], bounds[i + 1]).
  void work() {
    for (;;) {
      const std::size_t i = next_block.fetch_add(1);
      std::size_t begin = 0;
      std::size_t end = 0;
      if (bounds.empty()) {
        if (i >= (count + block - 1) / block) return;
        begin = i * block;
        end = std::min(count, begin + block);
      } else {
        if (i + 1 >= bounds.size()) return;
        begin = bounds[i];
        end = bounds[i + 1];
      }
      try {
        (*body)(begin, end);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next_block = std::max(count, bounds.size());  // stop handing out blocks
      }
    }
  }

  void worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
      for (int round = 0; round < kSpinRounds && generation.load() == seen && !stopping.load();
           ++round) {
        pause();
      }
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
  for (unsigned i = 1; i < threads; ++i) {
    impl_->workers.emplace_back([this] { impl_->worker_loop(); });
  }
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
  run(count, 0, body);
}

void ThreadPool::for_each_block(std::size_t count, std::size_t block,
                                const std::function<void(std::size_t, std::size_t)>& body) {
  run(count, std::max<std::size_t>(1, block), body);
}

void ThreadPool::run(std::size_t count, std::size_t block,
                     const std::function<void(std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  auto& s = *impl_;
  if (s.workers.empty() || s.busy.exchange(true)) {
    body(0, count);
    return;
  }
  struct Release {  // however the job ends
    std::atomic<bool>& busy;
    ~Release() { busy = false; }
  } release{s.busy};
  std::vector<std::size_t> bounds =
      block == 0 ? guided_bounds(count, size()) : std::vector<std::size_t>();
  {
    std::lock_guard lock(s.mutex);
    s.body = &body;
    s.count = count;
    s.block = std::min(block, count);
    s.bounds = std::move(bounds);
    s.next_block = 0;
    s.active = s.workers.size();
    s.failure = nullptr;
    ++s.generation;
  }
  s.wake.notify_all();
  s.work();
  for (int round = 0; round < kSpinRounds && s.active.load() != 0; ++round) pause();
  std::unique_lock lock(s.mutex);
  s.done.wait(lock, [&] { return s.active == 0; });
  if (s.failure) std::rethrow_exception(s.failure);
}

}  // namespace xp
