// ThreadPool::for_each_block: every index of [0, count) is handed out exactly once,
// in blocks no longer than asked for, whatever the number of threads; an exception
// thrown in a block reaches the caller.
#define BOOST_TEST_MODULE thread pool
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
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

// One thread runs the whole range at once: nothing to balance.
BOOST_AUTO_TEST_CASE(a_single_thread_takes_the_range_whole) {
  xp::ThreadPool pool(1);
  const Coverage coverage = cover(pool, 50, 1);
  BOOST_TEST(coverage.visits == std::vector<int>(50, 1), boost::test_tools::per_element());
  BOOST_TEST(coverage.longest == 50u);
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
