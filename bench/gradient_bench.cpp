// How long one full gradient of an mlp (by default the book's TwoLayerNet, 784-50-10,
// sigmoid, softmax, cross-entropy, weight_init_std 0.01) takes on a batch of 100 real
// MNIST digits, in double precision, for each gradient method, through the real
// plugins and loader: the naive central difference (a full forward pass per
// evaluation), the mlp's exact shortcut for central (one thread and all threads) and
// forward differences, and backprop. Reports the median of repeated runs, the ratio
// to backprop, the gain of all threads over one beside that of arithmetic alone in the
// same rounds (what the machine gives at best), the processor and vector instructions
// it ran on, and the share of (parameter, sample) pairs the shortcut computed on its
// general path; checks that the fast and analytic gradients agree, so a fast wrong
// number cannot pass.
//
//   build/bin/gradient_bench --data data/mnist --repeat 200 --naive-repeat 3
//   build/bin/gradient_bench --hidden 100,50 --activation relu --init he --naive-repeat 0
//   build/bin/gradient_bench --hidden 100,50 --activation relu --init he --trained 10000
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "exp/dataset.hpp"
#include "exp/error.hpp"
#include "exp/gradient.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "exp/plugin_registry.hpp"
#include "exp/process_group.hpp"
#include "exp/random.hpp"
#include "process_launch.hpp"

namespace {

namespace po = boost::program_options;

struct Settings {
  std::string data = "data/mnist";
  int repeat = 200;      // fast methods and backprop: their runs take milliseconds
  int naive_repeat = 3;  // the naive path takes seconds per gradient
  std::uint64_t seed = 42;
  std::string hidden = "50";  // units of each hidden layer, comma-separated
  std::string activation = "sigmoid";
  std::string init = "0.01";  // weight_init_std: a number, he or xavier
  int trained = 0;            // SGD steps (backprop) taken before measuring
  int threads = 1;            // per process, under mpirun
};

// "784-100-50-10" for the network's layer sizes.
std::string shape_of(std::size_t inputs, const std::string& hidden, std::size_t outputs) {
  std::string text = std::to_string(inputs);
  std::string units;
  for (const char c : hidden + ",") {
    if (c == ',') {
      if (!units.empty()) text += "-" + units;
      units.clear();
    } else if (c != ' ') {
      units += c;
    }
  }
  return text + "-" + std::to_string(outputs);
}

// The processor's model name, as the kernel reports it.
std::string processor() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown processor";
}

// The widest vector instructions this build was compiled for, and what the processor has.
std::string vector_instructions() {
#if defined(__AVX512F__)
  std::string compiled = "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  std::string compiled = "AVX2+FMA";
#elif defined(__AVX2__)
  std::string compiled = "AVX2";
#else
  std::string compiled = "SSE2 (x86-64 baseline)";
#endif
  const std::string has = __builtin_cpu_supports("avx512f") ? "AVX-512"
                          : __builtin_cpu_supports("avx2")  ? "AVX2"
                                                            : "neither AVX2 nor AVX-512";
  return "compiled for " + compiled + ", processor has " + has;
}

struct Setup {
  xp::PluginRegistry registry{xp::PluginRegistry::default_search_path({})};
  std::shared_ptr<xp::Dataset> dataset;
  std::shared_ptr<xp::Model> model;
  std::shared_ptr<xp::Loss> loss;
  xp::Batch batch;
  xp::Vector theta;

  template <typename T>
  std::shared_ptr<T> make(xp::PluginKind kind, const std::string& name, const std::string& yaml,
                          const xp::Context& context = {}) {
    return registry.create<T>(
        kind, name, YAML::Load(yaml), std::string(xp::to_string(kind)),
        [](const std::string&, const YAML::Node& node) {
          return xp::locate_by_mark("<gradient_bench>", node);
        },
        context);
  }
};

// Trains theta by plain SGD (learning rate 0.1, backprop) on batches of 100 rows of the
// training set, as the book's runs do, so that the shortcut is measured where a run
// spends most of its steps: late in training, with confident samples.
void train(Setup& setup, int steps, xp::Random& rng) {
  const std::size_t rows = setup.dataset->size(xp::Split::train);
  xp::Batch batch;
  xp::Vector gradient(setup.theta.size());
  std::vector<std::size_t> picked(100);
  for (int step = 0; step < steps; ++step) {
    for (auto& row : picked) row = rng.below(rows);
    setup.dataset->gather(xp::Split::train, picked, batch);
    if (!setup.model->backprop(setup.theta, batch, *setup.loss, gradient)) {
      throw xp::Error("--trained: the model offers no backprop to train with");
    }
    setup.theta -= 0.1 * gradient;
  }
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

// Wall time of one call, in milliseconds.
double ms_of(const std::function<void()>& body) {
  const auto start = std::chrono::steady_clock::now();
  body();
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(stop - start).count();
}

// Median wall time of `runs` calls, in milliseconds.
double median_ms(int runs, const std::function<void()>& body) {
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) times.push_back(ms_of(body));
  return median(times);
}

struct Row {
  std::string method;
  unsigned threads;
  int runs;
  double ms;
  xp::Vector gradient;
};

// Median ms of `runs` gradients of `method` (after one warm-up), on `threads` threads
// of each process of `group`; communication, when given, gets the share of the
// runs' wall time this process spent in the group's calls.
Row measure(Setup& setup, const std::string& method, const std::string& yaml, unsigned threads,
            int runs, const xp::Model* model = nullptr, const std::string& label = "",
            xp::ProcessGroup& group = xp::single_process(), double* communication = nullptr) {
  xp::ThreadPool pool(threads);
  const xp::Objective objective(model ? *model : *setup.model, *setup.loss, setup.batch, pool,
                                group);
  auto plugin = setup.make<xp::GradientMethod>(xp::PluginKind::gradient, method, yaml);
  Row row{method + " " + yaml + label, pool.size(), runs, 0.0, {}};
  xp::Random random(xp::step_random_seed(42, 0));
  const xp::GradientStep step{0, random};
  plugin->compute(objective, setup.theta, step, row.gradient);  // warm-up (caches, page faults)
  const double before = group.communication_seconds();
  const auto start = std::chrono::steady_clock::now();
  row.ms = median_ms(runs, [&] { plugin->compute(objective, setup.theta, step, row.gradient); });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (communication) *communication = (group.communication_seconds() - before) / seconds;
  return row;
}

// Arithmetic on registers alone, split over the pool the way a gradient's parameters
// are (about a millisecond on one thread, as long as the book's gradient): what two
// threads can gain on this machine at all. A processor may clock one busy core higher
// than two, and a virtual machine's cores share their host with other tenants; neither
// shows in one timing.
void compute_only(xp::ThreadPool& pool, std::vector<double>& out) {
  constexpr int kRounds = 1000;
  pool.for_each_block(out.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      double lanes[8];
      for (int k = 0; k < 8; ++k) lanes[k] = 1.0 + 1e-9 * double(i + std::size_t(k));
      for (int round = 0; round < kRounds; ++round) {
        for (double& x : lanes) x = x * 0.999999 + 1e-7;
      }
      out[i] = std::accumulate(std::begin(lanes), std::end(lanes), 0.0);
    }
  });
}

struct Scaling {
  double gradient = 0.0;  // fast central, 1 thread / all threads (median of the rounds)
  double ceiling = 0.0;   // compute_only, the same
};

// One thread against all, round by round (a gradient on each pool, then the
// compute-only loop on each), so that both ratios see the machine in the same state:
// on a shared host it drifts within seconds, and rows measured one after the other
// compare different moments.
Scaling thread_scaling(Setup& setup, unsigned threads, int rounds) {
  xp::ThreadPool one(1);
  xp::ThreadPool all(threads);
  const xp::Objective on_one(*setup.model, *setup.loss, setup.batch, one);
  const xp::Objective on_all(*setup.model, *setup.loss, setup.batch, all);
  auto plugin = setup.make<xp::GradientMethod>(xp::PluginKind::gradient, "central_difference",
                                               "{strategy: fast}");
  xp::Random random(xp::step_random_seed(42, 0));
  const xp::GradientStep step{0, random};
  xp::Vector gradient;
  std::vector<double> sums(4096);
  // An empty job first: the timed one then finds the workers awake, as gradients that
  // follow each other closely do (they sleep after a tenth of a millisecond without work).
  const auto wake = [](xp::ThreadPool& pool) {
    pool.for_each_block(pool.size(), 1, [](std::size_t, std::size_t) {});
  };
  const auto gradient_on = [&](const xp::Objective& objective) {
    wake(objective.pool());
    return ms_of([&] { plugin->compute(objective, setup.theta, step, gradient); });
  };
  const auto compute_on = [&](xp::ThreadPool& pool) {
    wake(pool);
    return ms_of([&] { compute_only(pool, sums); });
  };
  gradient_on(on_one);  // warm-up
  gradient_on(on_all);
  std::vector<double> gradient_ratios;
  std::vector<double> ceiling_ratios;
  for (int r = 0; r < rounds; ++r) {
    gradient_ratios.push_back(gradient_on(on_one) / gradient_on(on_all));
    ceiling_ratios.push_back(compute_on(one) / compute_on(all));
  }
  return {median(gradient_ratios), median(ceiling_ratios)};
}

// The network, its parameters (initial, or after --trained steps) and the first
// training step's batch as the runner draws it: 100 rows with replacement.
struct Prepared {
  Prepared() = default;
  Prepared(const Prepared&) = delete;  // mlp refers to the members
  Prepared& operator=(const Prepared&) = delete;
  Setup setup;
  xp::Context context;
  std::function<std::shared_ptr<xp::Model>(const std::string& simd)> mlp;
};

void prepare(const Settings& settings, Prepared& prepared) {
  Setup& setup = prepared.setup;
  xp::Context data_context;
  data_context.seed = settings.seed;
  setup.dataset = setup.make<xp::Dataset>(
      xp::PluginKind::dataset, "mnist",
      "{path: '" + settings.data + "', normalize: true, one_hot_label: true}", data_context);
  xp::Random rng(settings.seed);
  std::vector<std::size_t> rows(100);
  for (auto& row : rows) row = rng.below(setup.dataset->size(xp::Split::train));
  xp::Context& context = prepared.context;
  context.input_size = setup.dataset->input_size();
  context.output_size = setup.dataset->output_size();
  prepared.mlp = [&setup, &context, settings](const std::string& simd) {
    return setup.make<xp::Model>(
        xp::PluginKind::model, "mlp",
        "{hidden: [" + settings.hidden + "], activation: " + settings.activation +
            ", output: softmax, weight_init_std: " + settings.init + ", simd: " + simd + "}",
        context);
  };
  setup.model = prepared.mlp("auto");
  setup.loss = setup.make<xp::Loss>(xp::PluginKind::loss, "cross_entropy", "{}");
  setup.theta.resize(Eigen::Index(setup.model->layout().size()));
  setup.model->initialize(setup.theta, rng);
  train(setup, settings.trained, rng);
  setup.dataset->gather(xp::Split::train, rows, setup.batch);
}

// What the run is measured on, for the first lines of the report.
void print_heading(const Settings& settings, const Prepared& prepared) {
  const Setup& setup = prepared.setup;
  std::printf(
      "gradient of an mlp %s (%s softmax, weight_init_std %s, cross-entropy), %zu parameters,\n"
      "%s, batch of %zu MNIST digits from %s, double precision, seed %llu\n"
      "processor: %s (%s)\n\n",
      shape_of(prepared.context.input_size, settings.hidden, prepared.context.output_size).c_str(),
      settings.activation.c_str(), settings.init.c_str(), std::size_t(setup.theta.size()),
      settings.trained == 0
          ? "initial parameters"
          : ("after " + std::to_string(settings.trained) + " SGD steps (backprop, lr 0.1)").c_str(),
      setup.batch.size(), settings.data.c_str(), static_cast<unsigned long long>(settings.seed),
      processor().c_str(), vector_instructions().c_str());
}

int run(const Settings& settings) {
  Prepared prepared;
  prepare(settings, prepared);
  Setup& setup = prepared.setup;
  const auto& mlp = prepared.mlp;
  const unsigned all = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Row> table;
  const bool naive_runs = settings.naive_repeat > 0;
  if (naive_runs) {
    table.push_back(
        measure(setup, "central_difference", "{strategy: naive}", 1, settings.naive_repeat));
  }
  table.push_back(measure(setup, "central_difference", "{strategy: fast}", 1, settings.repeat));
  table.push_back(measure(setup, "central_difference", "{strategy: fast}", all, settings.repeat));
  const Scaling scaling = thread_scaling(setup, all, settings.repeat);
  table.push_back(measure(setup, "forward_difference", "{strategy: fast}", 1, settings.repeat));
  table.push_back(measure(setup, "backprop", "{}", 1, settings.repeat));
  // Each vector path of the shortcut the processor has, side by side (same bits).
  std::vector<Row> paths;
  for (const std::string simd : {"avx512", "avx2", "baseline"}) {
    try {
      const auto model = mlp(simd);
      paths.push_back(measure(setup, "central_difference", "{strategy: fast}", 1, settings.repeat,
                              model.get(), ", simd " + simd));
    } catch (const xp::Error&) {
      // This processor lacks these instructions.
    }
  }

  // How much of the fast central difference took the shortcut's general path.
  xp::ShortcutCounts counts;
  {
    xp::ThreadPool pool(1);
    const xp::Objective objective(*setup.model, *setup.loss, setup.batch, pool);
    if (const auto differences =
            objective.differences(setup.theta, xp::DifferenceSteps::central(1e-4))) {
      std::vector<double> out(objective.size());
      differences->compute(0, objective.size(), 1e-4, -1e-4, out.data());
      counts = differences->counts();
    }
  }

  print_heading(settings, prepared);
  std::printf("| %-46s | %7s | %4s | %15s |\n", "method", "threads", "runs", "ms per gradient");
  std::printf("|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(9, '-').c_str(),
              std::string(6, '-').c_str(), std::string(17, '-').c_str());
  for (const auto* rows : {&table, &paths}) {
    for (const auto& row : *rows) {
      std::printf("| %-46s | %7u | %4d | %15.4f |\n", row.method.c_str(), row.threads, row.runs,
                  row.ms);
    }
  }
  const std::size_t first = naive_runs ? 1 : 0;  // fast central, 1 thread
  const Row& fast = table[first];
  const Row& exact = table[first + 3];
  const double scale = std::max(1.0, exact.gradient.cwiseAbs().maxCoeff());
  std::printf("\nfast central (1 thread) / backprop (1 thread): %.2f\n", fast.ms / exact.ms);
  std::printf(
      "fast central, 1 thread / %u threads: %.2f (the table's rows); %.2f (median of %d rounds of "
      "one gradient on each in turn)\n  arithmetic alone, in the same rounds: %.2f (what this "
      "machine gives %u threads at best)\n",
      all, fast.ms / table[first + 1].ms, scaling.gradient, settings.repeat, scaling.ceiling, all);
  std::printf(
      "general path: %llu of %llu (parameter, sample) pairs (%.4f %%)\n",
      static_cast<unsigned long long>(counts.general_pairs),
      static_cast<unsigned long long>(counts.pairs),
      counts.pairs == 0 ? 0.0 : 100.0 * double(counts.general_pairs) / double(counts.pairs));
  std::printf("parameters whose step crossed a relu kink: %llu\n",
              static_cast<unsigned long long>(counts.kink_parameters));
  // Where a step crossed a relu kink the central difference is not backprop's
  // one-sided slope: at most that many entries may differ.
  const auto far_from_backprop =
      std::uint64_t(((fast.gradient - exact.gradient).array().abs() > 1e-8 * scale).count());
  std::printf("entries farther than 1e-8 * max(1, max|g|) from backprop: %llu\n",
              static_cast<unsigned long long>(far_from_backprop));
  bool agree = far_from_backprop <= counts.kink_parameters &&
               (fast.gradient.array() == table[first + 1].gradient.array()).all();
  for (const auto& row : paths) {
    std::printf("%s / fast central: %.2f\n", row.method.c_str(), row.ms / fast.ms);
    agree = agree && (row.gradient.array() == fast.gradient.array()).all();
  }
  if (naive_runs) {
    const double difference = (fast.gradient - table[0].gradient).cwiseAbs().maxCoeff();
    std::printf("naive central / fast central (1 thread): %.0f\n", table[0].ms / fast.ms);
    std::printf("max |fast central - naive central| = %.3g\n", difference);
    agree = agree && difference <= 1e-9 * scale;
  }
  std::printf("max |fast central - backprop| = %.3g (max |g| = %.3g)\n",
              (fast.gradient - exact.gradient).cwiseAbs().maxCoeff(),
              exact.gradient.cwiseAbs().maxCoeff());
  if (!agree) {
    std::fprintf(stderr, "gradient_bench: the gradients disagree; the timings mean nothing\n");
    return 1;
  }
  return 0;
}

// Under mpirun -np N: one fast central-difference gradient on rank 0 alone (the
// others wait), then split between all N processes (each computes its share with
// --threads threads, an all-gather assembles it), rank 0's median wall time of each,
// and its share in MPI calls (the all-gather and the wait for slower ranks).
int run_scaling(const Settings& settings, xp::ProcessGroup& group) {
  Prepared prepared;
  prepare(settings, prepared);
  Setup& setup = prepared.setup;
  const bool printing = group.rank() == 0;
  const auto measure_on = [&](xp::ProcessGroup& processes, double* communication) {
    return measure(setup, "central_difference", "{strategy: fast}", unsigned(settings.threads),
                   settings.repeat, nullptr, "", processes, communication);
  };
  Row alone;
  if (printing) alone = measure_on(xp::single_process(), nullptr);
  group.any(false);  // the others wait here while rank 0 measures alone
  double communication = 0.0;
  const Row split = measure_on(group, &communication);
  std::string hosts;
  for (const auto& host : group.hosts()) hosts += (hosts.empty() ? "" : ", ") + host;
  if (!printing) return 0;
  print_heading(settings, prepared);
  std::printf(
      "fast central difference, %d thread(s) per process, median of %d runs on rank 0\n"
      "(the processes run on: %s)\n\n",
      settings.threads, settings.repeat, hosts.c_str());
  std::printf("| processes | ms per gradient | speed-up | rank 0 in MPI calls |\n");
  std::printf("|---:|---:|---:|---:|\n");
  std::printf("| 1 | %.4f | 1.00x | 0 %% |\n", alone.ms);
  std::printf("| %zu | %.4f | %.2fx | %.1f %% |\n", group.size(), split.ms, alone.ms / split.ms,
              100.0 * communication);
  const bool same = (split.gradient.array() == alone.gradient.array()).all();
  std::printf("\n%zu processes give the bits of one: %s\n", group.size(), same ? "yes" : "NO");
  if (!same) {
    std::fprintf(stderr, "gradient_bench: the gradients disagree; the timings mean nothing\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  xp::cli::ProcessLaunch launch(argc, argv);
  Settings settings;
  po::options_description options("gradient_bench options");
  options.add_options()("help,h", "show this help")(
      "data", po::value(&settings.data)->default_value(settings.data),
      "MNIST folder (IDX files, .gz or raw)")(
      "repeat", po::value(&settings.repeat)->default_value(settings.repeat),
      "runs of each fast method and of backprop (the median is reported)")(
      "naive-repeat", po::value(&settings.naive_repeat)->default_value(settings.naive_repeat),
      "runs of the naive central difference (seconds each; 0 leaves it out)")(
      "seed", po::value(&settings.seed)->default_value(settings.seed),
      "seed of the batch and the initial parameters")(
      "hidden", po::value(&settings.hidden)->default_value(settings.hidden),
      "units of each hidden layer, comma-separated (100,50 for 784-100-50-10)")(
      "activation", po::value(&settings.activation)->default_value(settings.activation),
      "activation of the hidden layers: sigmoid, relu or tanh")(
      "init", po::value(&settings.init)->default_value(settings.init),
      "weight_init_std of the mlp: a number, he or xavier")(
      "trained", po::value(&settings.trained)->default_value(settings.trained),
      "SGD steps (backprop, learning rate 0.1, batches of 100) taken before measuring: "
      "where a run spends most of its steps")(
      "threads", po::value(&settings.threads)->default_value(settings.threads),
      "under mpirun -np N: threads of each process (N processes split each gradient)");
  try {
    po::variables_map given;
    po::store(po::command_line_parser(argc, argv).options(options).run(), given);
    po::notify(given);
    if (given.count("help")) {
      std::cout << "usage: gradient_bench [options]\n\n" << options;
      return 0;
    }
    if (settings.repeat < 1 || settings.naive_repeat < 0 || settings.trained < 0 ||
        settings.threads < 1) {
      throw xp::Error(
          "--repeat and --threads: expected at least 1; --naive-repeat and --trained: 0 or more");
    }
    if (launch.group().size() > 1) {
      const int status = run_scaling(settings, launch.group());
      if (status != 0) launch.abort(status);
      return status;
    }
    return run(settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradient_bench: %s\n", e.what());
    if (launch.group().size() > 1) launch.abort(2);
    return 2;
  }
}
