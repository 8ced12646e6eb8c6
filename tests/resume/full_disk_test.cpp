// A disk that fills while a run writes: on a small tmpfs mounted for the test (CI runs
// as root), with the free space cut to several levels so that the writes fail in
// different places (metric rows, checkpoints, parameters, pictures, the summary),
// a run never says `completed` with a file missing or short; it ends `failed` with
// the reason, or keeps a checkpoint that, once there is room, resumes to exactly
// the results of a run that had room all along.
#define BOOST_TEST_MODULE exp full disk
#include <sys/statvfs.h>

#include <fstream>

#include "exp/npy.hpp"
#include "exp/checkpoint.hpp"
#include "resume_support.hpp"

namespace fs = std::filesystem;
using xp::test::summary_of;

namespace {

const std::string kConfig =
    "configs/synthetic.yaml train.iterations=400 train.checkpoint_seconds=0.01";

// A tmpfs of `bytes` mounted on a fresh folder, unmounted when done.
class SmallDisk {
 public:
  explicit SmallDisk(std::size_t bytes) : mount_(xp::test::fresh_directory("exp-full-disk")) {
    const auto mounted = xp::test::run_command("mount -t tmpfs -o size=" + std::to_string(bytes) +
                                               " tmpfs '" + mount_.string() + "'");
    BOOST_TEST_REQUIRE(mounted.status == 0,
                       "this test mounts a tmpfs and needs root: " << mounted.output);
  }
  ~SmallDisk() {
    xp::test::run_command("umount '" + mount_.string() + "'");
    fs::remove_all(mount_);
  }
  const fs::path& path() const { return mount_; }
  std::size_t free_bytes() const {
    struct statvfs info {};
    ::statvfs(mount_.c_str(), &info);
    return std::size_t(info.f_bavail) * info.f_frsize;
  }
  // Fills the disk until `left` bytes are free.
  void leave_free(std::size_t left) {
    const std::size_t take = free_bytes() > left ? free_bytes() - left : 0;
    std::ofstream(mount_ / "filler", std::ios::binary) << std::string(take, '\0');
  }
  void make_room() { fs::remove(mount_ / "filler"); }

 private:
  fs::path mount_;
};

bool whole_picture(const fs::path& file) {
  const std::string text = xp::test::read_file(file);
  return text.find("</svg>") != std::string::npos &&
         text.find_last_not_of(" \n") == text.rfind("</svg>") + 5;
}

// What a run directory may never be: completed with a final file missing or short.
void check_honest(const fs::path& dir, const fs::path& reference) {
  const std::string status = summary_of(dir).get<std::string>("status");
  if (status != "completed") return;
  xp::test::check_same_results(dir, reference);
  for (const char* picture : {"loss.svg", "accuracy.svg"}) {
    BOOST_TEST(whole_picture(dir / picture), picture);
  }
  BOOST_TEST(!fs::exists(dir / "checkpoint.bin"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_disk_never_loses_a_run_or_reports_it_completed_with_short_files,
                     *boost::unit_test::label("fault_disk")) {
  const auto reference = xp::test::run_experiment(xp::test::fresh_directory("exp-room"), kConfig);
  BOOST_TEST_REQUIRE(reference.status == 0, reference.output);

  SmallDisk disk(1 << 20);
  std::size_t failed = 0, resumed = 0, completed = 0;
  for (const std::size_t left : {8u << 10, 16u << 10, 32u << 10, 48u << 10, 64u << 10, 96u << 10,
                                 160u << 10, 512u << 10}) {
    BOOST_TEST_CONTEXT(left / 1024 << " KiB free") {
      fs::remove_all(disk.path() / "runs");
      disk.leave_free(left);
      const auto run = xp::test::run_experiment(disk.path() / "runs", kConfig);
      BOOST_TEST((run.status == 0 || run.status == 1), run.output);
      if (run.dir.empty() || !fs::exists(run.dir / "summary.json")) {
        // Stopped before the run had anything to say: nothing was claimed.
        BOOST_TEST(run.status == 1, run.output);
        ++failed;
        disk.make_room();
        continue;
      }
      check_honest(run.dir, reference.dir);
      const std::string status = summary_of(run.dir).get<std::string>("status");
      if (run.status == 0) {
        BOOST_TEST(status == "completed");
        ++completed;
      } else {
        ++failed;
        // Failed with the reason, or (when even the summary could not be written)
        // still saying running, with the log telling why.
        BOOST_TEST((status == "failed" || status == "running"), status);
        if (status == "failed") {
          const std::string error = summary_of(run.dir).get<std::string>("error");
          // The reason names the file that could not be written, and why.
          BOOST_TEST(error.find(run.dir.string()) != std::string::npos, error);
          BOOST_TEST((error.find("No space left on device") != std::string::npos ||
                      error.find("written incomplete (a full disk?)") != std::string::npos),
                     error);
        }
      }
      for (const auto& entry : fs::recursive_directory_iterator(run.dir)) {
        BOOST_TEST(entry.path().extension() != ".tmp", entry.path());  // no debris
      }
      disk.make_room();
      if (run.status != 0 && xp::has_checkpoint(run.dir)) {
        const auto again = xp::test::run_exp("resume '" + run.dir.string() + "'");
        BOOST_TEST(again.status == 0, again.output);
        BOOST_TEST(summary_of(run.dir).get<std::string>("status") == "completed");
        check_honest(run.dir, reference.dir);
        ++resumed;
      }
    }
  }
  BOOST_TEST_MESSAGE(failed << " failed (" << resumed << " resumed), " << completed
                            << " completed");
  BOOST_TEST(failed >= 3u);   // the levels do exercise the failures...
  BOOST_TEST(resumed >= 1u);  // ...including ones that resume...
  BOOST_TEST(completed >= 1u);  // ...and room enough to finish
}
