#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the repository's own inputs: the shipped
# policies and the test cases (policy texts), the bundled catalogues (listing
# lines) and the scripted REPL sessions.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/policy corpus/readers corpus/paths corpus/repl
for f in "$root"/policies/*.policy "$root"/examples/*.policy "$root"/benches/*.policy \
         "$root"/tests/cases/check/*.policy "$root"/tests/cases/fmt/*.policy \
         "$root"/tests/cases/eval/*/*.policy; do
  cp "$f" "corpus/policy/$(basename "$(dirname "$f")")-$(basename "$f")"
done
for f in "$root"/tests/cases/repl/*.txt; do cp "$f" "corpus/repl/$(basename "$f")"; done
n=0
for f in "$root"/data/prdect-id/listings.ndjson "$root"/examples/listings.ndjson \
         "$root"/tests/cases/eval/*/listings.*; do
  n=$((n + 1))
  head -c 4096 "$f" > "corpus/readers/$n"
  # A line, after the byte that picks the policy set and the date.
  head -n 3 "$f" | awk -v n="$n" '{ printf "\001%s", $0 > ("corpus/paths/" n "-" NR) }'
done
echo "seeded: $(ls corpus/policy | wc -l) policies, $(ls corpus/readers | wc -l) catalogues, $(ls corpus/paths | wc -l) lines, $(ls corpus/repl | wc -l) sessions"
