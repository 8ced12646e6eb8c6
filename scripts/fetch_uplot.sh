#!/usr/bin/env bash
# Fetches uPlot (npm `uplot`, MIT), the charting library `exp report` embeds in its
# HTML files, into .cache/uplot-VERSION/ where CMake finds it. Idempotent; checks the
# tarball against the hash it was written for.
#   scripts/fetch_uplot.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version=1.6.32
tarball_sha256=4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d
cache=$repo/.cache
target=$cache/uplot-$version

say() { echo "fetch_uplot: $*"; }
die() { echo "fetch_uplot: error: $*" >&2; exit 1; }

if [[ -f $target/dist/uPlot.iife.min.js && -f $target/dist/uPlot.min.css && -f $target/LICENSE ]]; then
  exit 0
fi
command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm)"
mkdir -p "$cache"
tarball=$cache/uplot-$version.tgz
if [[ ! -f $tarball ]]; then
  say "fetching uplot@$version from the npm registry"
  (cd "$cache" && npm pack --silent "uplot@$version" >/dev/null) || die "npm pack uplot@$version failed"
fi
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [[ $actual != "$tarball_sha256" ]]; then
  rm -f "$tarball"
  die "uplot-$version.tgz has sha256 $actual, expected $tarball_sha256 (removed; run again)"
fi
rm -rf "$target.tmp"
mkdir -p "$target.tmp"
tar xzf "$tarball" -C "$target.tmp" --strip-components=1 package/LICENSE package/dist/uPlot.iife.min.js \
  package/dist/uPlot.min.css
mv "$target.tmp" "$target"
say "uPlot $version in $target"
