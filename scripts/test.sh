#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): sets everything up
# (scripts/setup.sh), then
#   1. the test suite on the normal build (build/),
#   2. the test suite again built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (build-asan/, EXP_SANITIZE=ON): any sanitizer report, also from an `exp`
#      process a test starts, fails CI. This is also the portable build
#      (EXP_NATIVE=OFF: no -march, runs on any x86-64; the shortcut's kernels still
#      choose AVX-512 or AVX2 at run time), so the suite proves both builds. It is
#      built without MPI (Open MPI's own allocations read as leaks to LeakSanitizer);
#      tests/mpi runs in step 1,
#   3. the libFuzzer targets in fuzz/ (build-fuzz/, clang), each for
#      EXP_FUZZ_SECONDS (60) from the seed corpus in fuzz/corpus/: a crash, leak,
#      timeout or out-of-memory fails CI and the input is kept and named.
# About 25 minutes on a fresh 2-core machine (most of it the three builds).
# Developers: EXP_QUICK=1 runs step 1 only; CI runs everything.
#   BUILD_DIR, ASAN_BUILD_DIR, FUZZ_BUILD_DIR choose the build folders.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${EXP_FUZZ_SECONDS:-60}
JOBS=$(nproc)

section() { printf '\n==== %s ====\n' "$*"; }
# ctest on build folder $1; then no test program's folder may be left in the temporary
# folder: each removes what it made when it exits (tests/support: exp-tests-<pid>),
# unless EXP_KEEP_TEST_FILES=1 asks to keep them. Returns ctest's status.
run_suite() {
  local status=0 before after left
  before=$(compgen -G "${TMPDIR:-/tmp}/exp-tests-*" || true)
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" || status=$?
  after=$(compgen -G "${TMPDIR:-/tmp}/exp-tests-*" || true)
  left=$(comm -13 <(sort <<<"$before") <(sort <<<"$after") | sed '/^$/d')
  if ((status == 0)) && [[ ${EXP_KEEP_TEST_FILES:-0} != 1 && -n $left ]]; then
    echo "FAILED: a test program left its folder behind:"
    echo "$left"
    return 1
  fi
  return "$status"
}
started=$SECONDS
elapsed() { echo "($(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s so far)"; }

section "setup and normal build ($BUILD_DIR)"
# Besides what exp needs: a one-node Slurm for tests/slurm (exp sweep --launcher
# slurm) and Chromium for tests/report, driven by npm's puppeteer-core (kept in
# .cache/node; configuring the build again finds it).
BUILD_DIR=$BUILD_DIR EXTRA_PACKAGES="slurmctld slurmd slurm-client munge chromium" scripts/setup.sh
puppeteer=24.43.1
if [[ $(node -p "require('./.cache/node/node_modules/puppeteer-core/package.json').version" 2>/dev/null) != "$puppeteer" ]]; then
  mkdir -p .cache/node
  (cd .cache/node && npm install --silent --no-audit --no-fund "puppeteer-core@$puppeteer")
fi
cmake -S . -B "$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

section "test suite ($BUILD_DIR)"
run_suite "$BUILD_DIR"
elapsed

if [[ ${EXP_QUICK:-0} == 1 ]]; then
  section "EXP_QUICK=1: sanitizer suite and fuzzers skipped"
  exit 0
fi

section "portable build (EXP_NATIVE=OFF) with AddressSanitizer + UndefinedBehaviorSanitizer ($ASAN_BUILD_DIR)"
cmake -S . -B "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DEXP_SANITIZE=ON -DEXP_NATIVE=OFF -DEXP_MPI=OFF \
  -DEXP_BUILD_BENCH=OFF >/dev/null
cmake --build "$ASAN_BUILD_DIR" -j "$JOBS"
elapsed

section "test suite under AddressSanitizer + UndefinedBehaviorSanitizer ($ASAN_BUILD_DIR)"
# Every report ends its process with status 1 (the build uses -fno-sanitize-recover=all,
# so UBSan stops at the first finding), which fails the test. ASan and LSan reports
# also go to files, so one from a child `exp` whose failure a test expected is still
# caught below. UBSan's reports go to stderr (combined with ASan it ignores log_path).
sanitizer_logs=$(mktemp -d "${TMPDIR:-/tmp}/exp-sanitizer-logs.XXXXXX")
export ASAN_OPTIONS="log_path=$sanitizer_logs/asan:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
suite_status=0
run_suite "$ASAN_BUILD_DIR" || suite_status=$?
unset ASAN_OPTIONS UBSAN_OPTIONS
if compgen -G "$sanitizer_logs/*" >/dev/null; then
  for log in "$sanitizer_logs"/*; do
    echo "---- sanitizer report $log"
    cat "$log"
  done
  echo "FAILED: sanitizer reports above (kept in $sanitizer_logs)"
  exit 1
fi
rmdir "$sanitizer_logs"
if ((suite_status != 0)); then
  echo "FAILED: the test suite under sanitizers"
  exit "$suite_status"
fi
elapsed

section "build the fuzzers with clang ($FUZZ_BUILD_DIR)"
CC=clang CXX=clang++ cmake -S . -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DEXP_BUILD_FUZZERS=ON -DEXP_BUILD_TESTS=OFF -DEXP_BUILD_BENCH=OFF >/dev/null
cmake --build "$FUZZ_BUILD_DIR" -j "$JOBS" --target fuzzers
elapsed

fuzz_dir=$(mktemp -d "${TMPDIR:-/tmp}/exp-fuzz.XXXXXX")
for target in config idx checkpoint; do
  section "fuzz ${target}_fuzzer for ${FUZZ_SECONDS} s"
  # The corpus is copied: what libFuzzer adds stays out of the repository.
  mkdir -p "$fuzz_dir/$target/corpus" "$fuzz_dir/$target/findings"
  cp fuzz/corpus/"$target"/* "$fuzz_dir/$target/corpus/"
  log="$fuzz_dir/$target/fuzzer.log"
  if ! "$FUZZ_BUILD_DIR/bin/${target}_fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$fuzz_dir/$target/findings/" \
    "$fuzz_dir/$target/corpus" >"$log" 2>&1; then
    tail -n 300 "$log"
    echo "FAILED: ${target}_fuzzer found a bug (full log: $log); the input that shows it:"
    ls -l "$fuzz_dir/$target/findings/"
    echo "reproduce: $FUZZ_BUILD_DIR/bin/${target}_fuzzer $fuzz_dir/$target/findings/<file>"
    exit 1
  fi
  grep -E '^(INFO: Seed|INFO: seed corpus|#[0-9]+.*(INITED|DONE))|^stat::' "$log" || tail -n 5 "$log"
done
rm -rf "$fuzz_dir"
elapsed

section "all tests passed"
