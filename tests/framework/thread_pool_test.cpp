// ThreadPool::for_each_block: every index of [0, count) is handed out exactly once,
// in blocks no longer than asked for and in increasing order (or, without a block
// size, in blocks that shrink as the job goes), whatever the number of threads; an
// exception thrown in a block reaches the caller; a job posted from inside a block runs
// on that block's thread.
#define BOOST_TEST_MODULE thread pool
#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "exp/parallel.hpp"

namespace {

struct Coverage {
  std::vector<int> visits;
  std::size_t longest = 0;
};

Coverage cover(xp::ThreadPool& pool, std::size_t count, std::size_t block) {
  Coverage coverage;
  coverage.visits.assign(count, 0);
  std::mutex merge;
  pool.for_each_block(count, block, [&](std::size_t begin, std::size_t end) {
    const std::lock_guard lock(merge);
    coverage.longest = std::max(coverage.longest, end - begin);
    for (std::size_t i = begin; i < end; ++i) ++coverage.visits[i];
  });
  return coverage;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_index_once_in_blocks_no_longer_than_asked) {
  for (const unsigned threads : {2u, 3u}) {
    xp::ThreadPool pool(threads);
    for (const std::size_t block : {std::size_t(1), std::size_t(7)}) {
      BOOST_TEST_CONTEXT(threads << " threads, blocks of " << block) {
        const Coverage coverage = cover(pool, 111, block);
        BOOST_TEST(coverage.visits == std::vector<int>(111, 1), boost::test_tools::per_element());
        BOOST_TEST(coverage.longest <= block);
      }
    }
  }
}

// Blocks are handed out in increasing order, so a block may wait for the one before
// it to begin: that one's thread is on it (the mlp's setup pieces wait so). Handed
// out in any other order, some block would wait for one no thread holds.
BOOST_AUTO_TEST_CASE(a_block_may_wait_for_an_earlier_block_to_begin) {
  for (const unsigned threads : {2u, 3u}) {
    xp::ThreadPool pool(threads);
    constexpr std::size_t kCount = 300;
    std::vector<std::atomic<bool>> begun(kCount);
    std::atomic<bool> stuck{false};
    pool.for_each_block(kCount, 1, [&](std::size_t i, std::size_t) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (i > 0 && !begun[i - 1].load() && !stuck.load()) {
        if (std::chrono::steady_clock::now() > give_up) stuck = true;
        std::this_thread::yield();
      }
      begun[i] = true;
    });
    BOOST_TEST(!stuck.load(), threads << " threads");
  }
}

namespace {

// The blocks of one default (shrinking-block) job, sorted, with each index's visits.
struct Blocks {
  std::vector<std::size_t> lengths;
  std::vector<int> visits;
};

Blocks default_blocks(xp::ThreadPool& pool, std::size_t count) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  Blocks blocks;
  blocks.visits.assign(count, 0);
  std::mutex merge;
  pool.for_each_block(count, [&](std::size_t begin, std::size_t end) {
    const std::lock_guard lock(merge);
    ranges.emplace_back(begin, end);
    for (std::size_t i = begin; i < end; ++i) ++blocks.visits[i];
  });
  std::sort(ranges.begin(), ranges.end());
  for (const auto& [begin, end] : ranges) blocks.lengths.push_back(end - begin);
  return blocks;
}

}  // namespace

// Without a block size each block is a share of what is left (a quarter, for two
// threads), down to count / (256 threads): the threads finish with short blocks.
BOOST_AUTO_TEST_CASE(default_blocks_shrink_to_short_last_blocks) {
  xp::ThreadPool pool(2);
  const Blocks blocks = default_blocks(pool, 100);
  BOOST_TEST(blocks.visits == std::vector<int>(100, 1), boost::test_tools::per_element());
  const std::vector<std::size_t> expected{25, 19, 14, 11, 8, 6, 5, 3, 3, 2, 1, 1, 1, 1};
  BOOST_TEST(blocks.lengths == expected, boost::test_tools::per_element());
  for (const unsigned threads : {2u, 3u}) {
    for (const std::size_t count : {std::size_t(5), std::size_t(1000), std::size_t(39760)}) {
      BOOST_TEST_CONTEXT(threads << " threads, " << count << " indices") {
        xp::ThreadPool sized(threads);
        const Blocks each = default_blocks(sized, count);
        BOOST_TEST(each.visits == std::vector<int>(count, 1), boost::test_tools::per_element());
        BOOST_TEST(each.lengths.front() == (count + 2 * threads - 1) / (2 * threads));
        BOOST_TEST(each.lengths.back() <= std::max<std::size_t>(1, count / (256 * threads)));
        BOOST_TEST(std::is_sorted(each.lengths.rbegin(), each.lengths.rend()));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_exception_in_a_shrinking_block_reaches_the_caller) {
  xp::ThreadPool pool(2);
  BOOST_CHECK_THROW(pool.for_each_block(1000,
                                        [&](std::size_t begin, std::size_t) {
                                          if (begin == 0) throw std::runtime_error("block 0");
                                        }),
                    std::runtime_error);
  const Blocks blocks = default_blocks(pool, 1000);
  BOOST_TEST(blocks.visits == std::vector<int>(1000, 1), boost::test_tools::per_element());
}

// One thread runs the whole range at once: nothing to balance.
BOOST_AUTO_TEST_CASE(a_single_thread_takes_the_range_whole) {
  xp::ThreadPool pool(1);
  const Coverage coverage = cover(pool, 50, 1);
  BOOST_TEST(coverage.visits == std::vector<int>(50, 1), boost::test_tools::per_element());
  BOOST_TEST(coverage.longest == 50u);
  BOOST_TEST(default_blocks(pool, 50).lengths == std::vector<std::size_t>{50},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_exception_in_a_block_reaches_the_caller) {
  xp::ThreadPool pool(2);
  std::atomic<int> blocks{0};
  BOOST_CHECK_THROW(pool.for_each_block(40, 1,
                                        [&](std::size_t begin, std::size_t) {
                                          ++blocks;
                                          if (begin == 5) throw std::runtime_error("block 5");
                                        }),
                    std::runtime_error);
  BOOST_TEST(blocks.load() >= 1);
  // The pool still works afterwards.
  const Coverage coverage = cover(pool, 20, 1);
  BOOST_TEST(coverage.visits == std::vector<int>(20, 1), boost::test_tools::per_element());
}

// A job posted while the pool runs another: from one of its blocks (a plugin's nested
// loop), or from a thread of a second pool that such a block uses. The pool's threads
// are taken by the outer job, so the inner one runs whole on the thread that posts it;
// every index of both is handed out once and the outer call returns.
BOOST_AUTO_TEST_CASE(a_job_posted_while_the_pool_runs_another_runs_on_the_posting_thread) {
  for (const unsigned threads : {2u, 3u}) {
    for (const bool through_second_pool : {false, true}) {
      xp::ThreadPool pool(threads);
      xp::ThreadPool second(threads);
      constexpr std::size_t kOuter = 16;
      constexpr std::size_t kInner = 100;
      std::vector<std::atomic<int>> visits(kOuter * kInner);
      std::atomic<int> inner_calls{0};
      std::atomic<bool> elsewhere{false};  // an inner block ran on another thread
      const auto inner = [&](std::size_t o) {
        const auto poster = std::this_thread::get_id();
        pool.for_each_block(kInner, [&](std::size_t first, std::size_t last) {
          if (std::this_thread::get_id() != poster) elsewhere = true;
          ++inner_calls;
          for (std::size_t i = first; i < last; ++i) ++visits[o * kInner + i];
        });
      };
      pool.for_each_block(kOuter, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t o = begin; o < end; ++o) {
          if (through_second_pool) {
            second.for_each_block(1, 1, [&](std::size_t, std::size_t) { inner(o); });
          } else {
            inner(o);
          }
        }
      });
      BOOST_TEST_CONTEXT(threads << " threads, through a second pool: " << through_second_pool) {
        BOOST_TEST(inner_calls.load() == int(kOuter));
        BOOST_TEST(!elsewhere.load());
        BOOST_TEST(std::all_of(visits.begin(), visits.end(), [](const auto& v) { return v == 1; }));
      }
    }
  }
}
