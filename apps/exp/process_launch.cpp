#include "process_launch.hpp"

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#ifdef EXP_WITH_MPI
#include <mpi.h>

#include "exp/callbacks.hpp"
#include "exp/error.hpp"
#include "exp/run_summary.hpp"
#endif

namespace xp::cli {

namespace {

ProcessGroup* g_group = &single_process();

#ifdef EXP_WITH_MPI

// Set by Open MPI's launcher (mpirun, srun with PMIx): without them this process is
// alone, and MPI is not initialised (a singleton init costs start-up time and may
// warn on machines without a network).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

class MpiGroup final : public ProcessGroup {
 public:
  MpiGroup() {
    int rank = 0;
    int size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rank_ = std::size_t(rank);
    size_ = std::size_t(size);
    alive_.assign(size_, false);
  }
  std::size_t rank() const override { return rank_; }
  std::size_t size() const override { return size_; }

  void all_gather(double* values, const std::vector<std::size_t>& bounds) override {
    const Stopwatch timed(seconds_);
    std::vector<int> counts(size_), displacements(size_);
    for (std::size_t r = 0; r < size_; ++r) {
      counts[r] = int(bounds[r + 1] - bounds[r]);
      displacements[r] = int(bounds[r]);
    }
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values, counts.data(),
                          displacements.data(), MPI_DOUBLE, MPI_COMM_WORLD, &request),
          "MPI_Iallgatherv");
    wait(request, "MPI_Iallgatherv");
  }

  bool any(bool flag) override {
    const Stopwatch timed(seconds_);
    int mine = flag ? 1 : 0;
    int result = 0;
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(&mine, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &request),
          "MPI_Iallreduce");
    wait(request, "MPI_Iallreduce");
    return result != 0;
  }

  void broadcast(std::string& text) override {
    const Stopwatch timed(seconds_);
    unsigned long long length = text.size();
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast");
    wait(request, "MPI_Ibcast");
    text.resize(std::size_t(length));
    check(MPI_Ibcast(text.data(), int(length), MPI_CHAR, 0, MPI_COMM_WORLD, &request),
          "MPI_Ibcast");
    wait(request, "MPI_Ibcast");
  }

  std::vector<std::string> hosts() const override {
    constexpr int kLength = 256;
    std::string mine = host_name();
    mine.resize(kLength - 1);
    std::vector<char> all(std::size_t(kLength) * size_);
    MPI_Allgather(mine.c_str(), kLength, MPI_CHAR, all.data(), kLength, MPI_CHAR,
                  MPI_COMM_WORLD);
    std::vector<std::string> names;
    for (std::size_t r = 0; r < size_; ++r) names.emplace_back(all.data() + r * kLength);
    return names;
  }

  double communication_seconds() const override { return seconds_; }

  // Tells rank 0 why this rank is about to end the job, so that the run records it
  // (rank 0 listens while it waits in any call above).
  void send_failure(const std::string& reason) const {
    const std::string text = reason.substr(0, kFailureLength);
    MPI_Send(text.c_str(), int(text.size()), MPI_CHAR, 0, kFailureTag, MPI_COMM_WORLD);
  }

 private:
  static constexpr int kFailureTag = 77;
  static constexpr int kAnswerTag = 78;
  static constexpr std::size_t kFailureLength = 2000;  // sent eagerly, whatever rank 0 does
  // Open MPI's launcher ends a job whose rank died with SIGTERM to the others and
  // SIGKILL odls_base_sigkill_timeout seconds later (1 unless the user set it, which
  // the launcher passes on in the environment): rank 0 gives the other ranks half of
  // that time to answer, and keeps the other half to write the run's end (a busy
  // disk's fsync can take a few tenths of a second).
  static double signal_grace_seconds() {
    const char* text = std::getenv("OMPI_MCA_odls_base_sigkill_timeout");
    const int seconds = text != nullptr ? std::atoi(text) : 0;
    return 0.5 * (seconds > 0 ? seconds : 1);
  }

  // A rank other than 0 answers the job's SIGTERM (once, 1 byte, sent eagerly) as soon
  // as it enters an exchange: it is alive.
  void answer_signal() {
    if (answered_ || !StopOnSignal::requested()) return;
    answered_ = true;
    const char alive = 1;
    check(MPI_Send(&alive, 1, MPI_CHAR, 0, kAnswerTag, MPI_COMM_WORLD), "MPI_Send");
  }

  void receive_answers() {
    for (;;) {
      int answered = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kAnswerTag, MPI_COMM_WORLD, &answered, &status);
      if (!answered) return;
      char alive = 0;
      MPI_Recv(&alive, 1, MPI_CHAR, status.MPI_SOURCE, kAnswerTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      alive_[std::size_t(status.MPI_SOURCE)] = true;
    }
  }

  // A rank that dies (SIGKILL, out of memory) says nothing: the launcher sends the
  // job SIGTERM, and the exchange rank 0 waits in never completes. After the grace,
  // rank 0 fails the run naming the ranks that did not answer the SIGTERM; when all
  // did, it waits on (the launcher decides). A run that Ctrl-C stops ends at its step's
  // end within the grace, unless a rank's share of one step (or an evaluation) takes
  // longer: that rank is then named too, as the launcher would kill it anyway.
  void fail_if_peers_lost() {
    if (!StopOnSignal::requested()) return;
    const double grace = signal_grace_seconds();
    if (StopOnSignal::seconds_since_signal() < grace) return;
    receive_answers();
    std::string missing;
    for (std::size_t r = 1; r < size_; ++r) {
      if (!alive_[r]) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
    }
    if (missing.empty()) return;
    std::ostringstream message;
    message << "rank " << missing << " stopped answering: no answer to the job's SIGTERM within "
            << grace << " s while rank 0 waited for the step's exchange (a rank that died ends "
            << "the job this way, and mpirun's message names its signal)";
    throw Error(message.str());
  }

  // Completes a collective call. Rank 0 meanwhile listens for a failure another rank
  // reports, and turns it into its own error (the run fails with that rank's reason):
  // the failed rank never joins the call, which would otherwise wait until the job is
  // killed. Polled, with short sleeps, so that a waiting rank leaves the cores to the
  // ranks still computing.
  void wait(MPI_Request& request, const char* call) {
    if (rank_ != 0) answer_signal();
    for (int polls = 0;; ++polls) {
      int done = 0;
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), call);
      if (done) return;
      if (rank_ == 0) {
        receive_failure();
        receive_answers();
        fail_if_peers_lost();
      } else {
        answer_signal();
      }
      if (polls > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  void receive_failure() {
    int reported = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kFailureTag, MPI_COMM_WORLD, &reported, &status);
    if (!reported) return;
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string reason(std::size_t(length), '\0');
    MPI_Recv(reason.data(), length, MPI_CHAR, status.MPI_SOURCE, kFailureTag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    throw Error("rank " + std::to_string(status.MPI_SOURCE) + " failed: " + reason);
  }

  // Adds the time until it goes out of scope to `total`.
  class Stopwatch {
   public:
    explicit Stopwatch(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    ~Stopwatch() {
      total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

   private:
    double& total_;
    std::chrono::steady_clock::time_point start_;
  };

  static void check(int code, const char* call) {
    if (code != MPI_SUCCESS) throw Error(std::string(call) + " failed");
  }
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
  double seconds_ = 0.0;  // in MPI calls
  bool answered_ = false;   // this rank has answered the job's SIGTERM
  std::vector<bool> alive_;  // rank 0: which ranks answered it
};

#endif

}  // namespace

ProcessLaunch::ProcessLaunch(int& argc, char**& argv) {
#ifdef EXP_WITH_MPI
  if (launched_by_mpi()) {
    int provided = 0;
    // Only the main thread calls MPI; the worker threads compute.
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    mpi_ = std::make_unique<MpiGroup>();
    g_group = mpi_.get();
  }
#else
  (void)argc;
  (void)argv;
#endif
}

ProcessLaunch::~ProcessLaunch() {
#ifdef EXP_WITH_MPI
  if (mpi_) {
    g_group = &single_process();
    mpi_.reset();
    MPI_Finalize();
  }
#endif
}

ProcessGroup& ProcessLaunch::group() { return *g_group; }

void ProcessLaunch::report_failure(const std::string& reason) {
#ifdef EXP_WITH_MPI
  if (mpi_ && mpi_->rank() != 0) static_cast<const MpiGroup&>(*mpi_).send_failure(reason);
#else
  (void)reason;
#endif
}

void ProcessLaunch::abort(int status) {
#ifdef EXP_WITH_MPI
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::exit(status);
}

ProcessGroup& process_group() { return *g_group; }

}  // namespace xp::cli
