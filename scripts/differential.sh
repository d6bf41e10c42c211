#!/usr/bin/env bash
# A long differential run (docs/validation.md, "The differential test"): N generated programs
# (default 20000) compiled by egwc and dry-run against the real API server, with a seed
# (default: random, printed). Starts the API server of scripts/k8s-apiserver.sh when
# KUBECONFIG is not set. A disagreement's program is left in target/differential/.
#
#   scripts/differential.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
programs=${1:-20000}
seed=${2:-$RANDOM$RANDOM}
if [ -z "${KUBECONFIG:-}" ]; then
  scripts/k8s-apiserver.sh install
  trap 'scripts/k8s-apiserver.sh stop || true' EXIT
  eval "$(scripts/k8s-apiserver.sh start tests/crds)"
fi
echo "differential run: $programs programs, seed $seed" >&2
start=$SECONDS
EGWC_DIFF_PROGRAMS=$programs EGWC_DIFF_SEED=$seed \
  cargo test --quiet --test differential egwc_refuses -- --nocapture
echo "took $((SECONDS - start)) s" >&2
