#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml as users run it: `pre-commit try-repo` on a sample repository.
# A good file passes; a file with an error blocks; an unformatted file is formatted and blocks
# once. pre-commit is installed into a virtualenv under ~/.cache/egwc-tools (PyPI only); the
# hooks build egwc with the cargo on PATH, once per run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools=${EGWC_TOOLS:-$HOME/.cache/egwc-tools}
venv=$tools/pre-commit-venv
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'pre-commit>=4,<5'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME=$work/pre-commit-home
# The hooks build egwc with `cargo install` (release). Unoptimized, the build tests the same
# wiring in a fraction of the time (8.5 minutes optimized on 2 cores).
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
sample=$work/sample
mkdir -p "$sample"
cd "$sample"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci

fail() { echo "test-pre-commit: FAILED: $*" >&2; exit 1; }
try_repo() { "$venv/bin/pre-commit" try-repo "$repo" "$@" --all-files > "$work/out" 2>&1; }

cp "$repo/examples/simple-http.egw" good.egw
git add good.egw
try_repo || { cat "$work/out"; fail "a good, formatted file must pass both hooks"; }
echo "ok: a good file passes egwc-check and egwc-fmt"

printf 'service api { endpoint "10.0.0.1" }\nroute r { on nowhere rule { -> api } }\n' > bad.egw
git add bad.egw
if try_repo egwc-check; then cat "$work/out"; fail "a file with an error must block"; fi
grep -q 'E0101' "$work/out" || { cat "$work/out"; fail "the error must be reported with its code"; }
echo "ok: a file with an error blocks egwc-check, with its diagnostic"
git rm --quiet --cached bad.egw && rm bad.egw

printf 'service api   {endpoint "10.0.0.1"}\n' > messy.egw
git add messy.egw
if try_repo egwc-fmt; then cat "$work/out"; fail "an unformatted file must block"; fi
grep -q 'files were modified by this hook' "$work/out" || { cat "$work/out"; fail "egwc-fmt must format the file"; }
[ "$(cat messy.egw)" = 'service api { endpoint "10.0.0.1" }' ] || fail "messy.egw was not formatted: $(cat messy.egw)"
git add messy.egw
try_repo egwc-fmt || { cat "$work/out"; fail "a formatted file must pass"; }
echo "ok: egwc-fmt formats an unformatted file and blocks once"

# The good file's own test passes; a test that fails blocks, with its diagnostic at its line.
try_repo egwc-test || { cat "$work/out"; fail "a passing test must pass egwc-test"; }
printf 'test "wrong" { request "http://nas.home.example.com/" expect 404 }\n' >> good.egw
git add good.egw
if try_repo egwc-test; then cat "$work/out"; fail "a failing test must block"; fi
grep -q 'E0602' "$work/out" || { cat "$work/out"; fail "the failed test must be reported with its code"; }
echo "ok: egwc-test passes a good test and blocks a failing one"
