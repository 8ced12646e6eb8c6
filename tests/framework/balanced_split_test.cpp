// BalancedSplit: how the parameters are shared between the processes of an MPI job.
// Equal counts first; then boundaries where the time each share took, spread evenly
// over its parameters, is equal; always ascending, from 0 to the count.
#define BOOST_TEST_MODULE balanced split
#include <boost/test/unit_test.hpp>

#include "exp/process_group.hpp"

using Bounds = std::vector<std::size_t>;

BOOST_AUTO_TEST_CASE(first_split_is_by_count) {
  xp::BalancedSplit split;
  BOOST_TEST(split.bounds(100, 3) == (Bounds{0, 33, 66, 100}), boost::test_tools::per_element());
  BOOST_TEST(split.bounds(2, 3) == (Bounds{0, 0, 1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_slow_share_is_narrowed_to_the_measured_cost) {
  xp::BalancedSplit split;
  split.bounds(100, 2);
  // The first half cost three times the second: the cost per parameter is 3/50 there
  // and 1/50 after, so half the total (2 of 4) is reached at 2 / (3/50) = 33.3.
  split.record({3.0, 1.0});
  BOOST_TEST(split.bounds(100, 2) == (Bounds{0, 33, 100}), boost::test_tools::per_element());
  // Equal times keep the boundary where it is.
  split.record({1.0, 1.0});
  BOOST_TEST(split.bounds(100, 2) == (Bounds{0, 33, 100}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(shares_that_cost_nothing_are_absorbed_and_bounds_stay_ordered) {
  xp::BalancedSplit split;
  split.bounds(90, 3);  // 0, 30, 60, 90
  // Only the last share cost anything: the other two processes move into it.
  split.record({0.0, 0.0, 6.0});
  const Bounds moved = split.bounds(90, 3);
  BOOST_TEST(moved == (Bounds{0, 70, 80, 90}), boost::test_tools::per_element());
  // No time measured at all (or a count changed): nothing to learn from.
  split.record({0.0, 0.0, 0.0});
  BOOST_TEST(split.bounds(90, 3) == moved, boost::test_tools::per_element());
  BOOST_TEST(split.bounds(120, 3) == (Bounds{0, 40, 80, 120}), boost::test_tools::per_element());
}
