// ThreadPool::for_each_block: every index of [0, count) is handed out exactly once,
// in blocks no longer than asked for (or, without a block size, in blocks that shrink
// as the job goes), whatever the number of threads; an exception thrown in a block
// reaches the caller.
#define BOOST_TEST_MODULE thread pool
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
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

// Without a block size the blocks shrink: a share of what is left each, so that the
// last blocks, those the threads finish with, are short.
BOOST_AUTO_TEST_CASE(default_blocks_shrink_to_short_last_blocks) {
  for (const unsigned threads : {2u, 3u}) {
    for (const std::size_t count : {std::size_t(5), std::size_t(1000), std::size_t(39760)}) {
      BOOST_TEST_CONTEXT(threads << " threads, " << count << " indices") {
        xp::ThreadPool pool(threads);
        std::vector<int> visits(count, 0);
        std::vector<std::pair<std::size_t, std::size_t>> blocks;
        std::mutex merge;
        pool.for_each_block(count, [&](std::size_t begin, std::size_t end) {
          const std::lock_guard lock(merge);
          blocks.emplace_back(begin, end);
          for (std::size_t i = begin; i < end; ++i) ++visits[i];
        });
        BOOST_TEST(visits == std::vector<int>(count, 1), boost::test_tools::per_element());
        std::sort(blocks.begin(), blocks.end());
        const std::size_t first = blocks.front().second - blocks.front().first;
        const std::size_t last = blocks.back().second - blocks.back().first;
        BOOST_TEST(first <= (count + 2 * threads - 1) / (2 * threads));
        BOOST_TEST(last <= std::max<std::size_t>(1, count / (16 * threads)));
        for (std::size_t b = 1; b < blocks.size(); ++b) {
          BOOST_TEST(blocks[b].second - blocks[b].first <= blocks[b - 1].second - blocks[b - 1].first);
        }
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
