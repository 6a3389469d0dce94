#!/bin/sh
# Seeds a sweep needs until a planted bug's first catch, per scenario family, with exploration
# (swarm + random actions) and without (hand-written scenarios swept by seed). One sweep per
# (bug, scenario) with --fail-fast over seeds 1..BUDGET; prints `bug scenario first_seed` (or
# `none`). Needs the bughunt build:
#   cargo build --profile bughunt --features rpsim-export/planted-bugs
set -eu
BUDGET=${BUDGET:-20}
BIN=${BIN:-target/bughunt/rpsim}
OUT=${OUT:-/tmp/rpsim-first-catch}
mkdir -p "$OUT"
EXPLORE="swarm-random-actions-single-vm swarm-random-actions-two-groups swarm-random-actions-guest-cluster"
BASELINE="${BASELINE:-random-faults-all-kinds suspend-and-start chain-of-differentials}"
for bug in ${BUGS:?set BUGS to the planted bug names}; do
  for scenario in $EXPLORE $BASELINE; do
    results="$OUT/$bug.$scenario.jsonl"
    rm -f "$results"
    TMPDIR=/dev/shm "$BIN" sweep "scenarios/$scenario.yaml" --seeds "1..$((BUDGET + 1))" --jobs 1 \
      --fail-fast --plant-bug "$bug" --results "$results" --records "$OUT/records" \
      >/dev/null 2>&1 || true
    first=$(grep -o '"seed":[0-9]*,"verdict":"fail"' "$results" | head -1 | sed 's/"seed":\([0-9]*\).*/\1/')
    echo "$bug $scenario ${first:-none}"
  done
done
