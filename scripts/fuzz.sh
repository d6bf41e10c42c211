#!/usr/bin/env bash
# Fuzzes egwc: `scripts/fuzz.sh SECONDS [TARGET…]` runs each target (compile, format,
# structured, import; all by default) for SECONDS with cargo-fuzz (libFuzzer), one after the other.
# The corpus starts from the examples and golden cases and grows in fuzz/corpus/ (not
# committed). A crash stops the run with exit 1, and its input is copied to
# tests/fuzz/TARGET-NAME, where `cargo test --test hostile` replays it from then on.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); nightly features come from
# RUSTC_BOOTSTRAP=1 on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compile format structured import)
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
(cd fuzz && cargo fuzz build -O)

# Imports in fuzzed text resolve from the working directory: an empty one.
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/logs
status=0
for target in "${targets[@]}"; do
  corpus=$root/fuzz/corpus/$target
  artifacts=$root/fuzz/artifacts/$target
  log=$root/fuzz/logs/$target.log
  mkdir -p "$corpus" "$artifacts"
  if [ "$target" = import ]; then
    # YAML: egwc's own output, the chart's values and the upstream conformance objects.
    find tests/expected tests/import tests/conformance -name '*.yaml' | while read -r f; do
      cp "$f" "$corpus/seed-${f//\//-}"
    done
  elif [ "$target" != structured ]; then
    find examples tests/cases tests/format stdlib -name '*.egw' | while read -r f; do
      cp "$f" "$corpus/seed-${f//\//-}"
    done
  fi
  echo "fuzzing $target for ${seconds}s (log: fuzz/logs/$target.log)" >&2
  # Structured programs are made from the input's bytes: give them room from the start.
  lengths=(-max_len=65536)
  [ "$target" != structured ] || lengths=(-max_len=4096 -len_control=0)
  (cd "$work" && "$root/fuzz/target/x86_64-unknown-linux-gnu/release/$target" \
    -max_total_time="$seconds" "${lengths[@]}" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1) || true
  grep -E '^#[0-9]+' "$log" | tail -n 1 >&2 || true
  for crash in "$artifacts"/*; do
    [ -e "$crash" ] || continue
    mkdir -p tests/fuzz
    cp "$crash" "tests/fuzz/$target-$(basename "$crash")"
    echo "fuzz: $target found $(basename "$crash"); copied to tests/fuzz/" >&2
    # CI keeps no files: print the failure and the input, so the log alone reproduces it.
    grep -m 1 -A 12 -E "panicked at|ERROR: libFuzzer" "$log" >&2 || true
    echo "fuzz: the input, base64 (first 8 KiB):" >&2
    head -c 8192 "$crash" | base64 >&2
    status=1
  done
done
exit $status
