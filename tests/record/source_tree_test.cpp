// The git revision a run records: the commit of the source tree and whether the
// tree differed from it, on a real scratch repository.
#define BOOST_TEST_MODULE source tree
#include "exp/source_tree.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::string quoted(const std::string& text) {
  std::string word = "'";
  for (const char c : text) word += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return word + "'";
}

std::string git(const fs::path& tree, const std::string& args) {
  const auto result = xp::test::run_command(
      "git -C " + quoted(tree.string()) +
      " -c user.name=test -c user.email=test@example.org -c commit.gpgsign=false " + args);
  BOOST_TEST_REQUIRE(result.status == 0, "git " << args << ": " << result.output);
  return result.output;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_folder_outside_git_is_unknown_and_not_dirty) {
  const auto folder = xp::test::fresh_directory("exp-no-git");
  const xp::SourceRevision revision = xp::source_revision(folder);
  BOOST_TEST(revision.commit == "unknown");
  BOOST_TEST(!revision.dirty);
}

BOOST_AUTO_TEST_CASE(commit_and_dirty_flag_follow_the_tree) {
  const auto tree = xp::test::fresh_directory("exp-git's tree");  // a quote in the path
  git(tree, "init -q");
  std::ofstream(tree / "a.txt") << "one\n";
  git(tree, "add a.txt");
  git(tree, "commit -q -m first");
  std::string head = git(tree, "rev-parse HEAD");
  head.resize(40);

  xp::SourceRevision revision = xp::source_revision(tree);
  BOOST_TEST(revision.commit == head);
  BOOST_TEST(!revision.dirty);

  std::ofstream(tree / "a.txt") << "two\n";  // a change not committed
  revision = xp::source_revision(tree);
  BOOST_TEST(revision.commit == head);
  BOOST_TEST(revision.dirty);

  git(tree, "commit -q -a -m second");
  std::ofstream(tree / "new.txt") << "untracked\n";  // a file git does not know
  revision = xp::source_revision(tree);
  BOOST_TEST(revision.commit != head);
  BOOST_TEST(revision.commit.size() == 40u);
  BOOST_TEST(revision.dirty);
}
