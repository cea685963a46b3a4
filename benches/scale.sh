#!/usr/bin/env bash
# Times `massage-triage rules check` on rule sets grown from the built-in one by the shared
# generator (../shared/tools/gen-rules: realistic mixtures of single-question rules, number
# thresholds, two- and three-question joins, referral pairs and caps), one line a set: the
# wall time, the peak memory (max resident set, GNU time) and the verdict, within the
# default budget (10 s, 1 GiB). The 512-rule sets are `--mult 13.6`: 58 built-in rules and
# 454 generated (the issue's `--mult 14.2` assumed a 36-rule base; 533 rules are over the
# loader's limit of 512).
#
#   benches/scale.sh                     # every set
#   SETS="m512 s512" benches/scale.sh    # some of them
#
# Other work on the machine shows up in the figures: run it on a quiet machine, or twice.
set -euo pipefail

cd "$(dirname "$0")/.."
gen=../shared/tools/gen-rules
if [[ ! -x "$gen" ]]; then
    echo "needs $gen (the shared tools beside the clone)" >&2
    exit 2
fi
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d "${TMPDIR:-/tmp}/massage-triage-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

# name, then gen-rules arguments.
all_sets=(
    "m2 --mult 2"
    "j48 --join 48:2"
    "m3 --mult 3"
    "m88 --mult 8.8"
    "s88 --single --mult 8.8"
    "m512 --mult 13.6"
    "s512 --single --mult 13.6"
    "j256 --join 256:2"
    "j454 --join 454:2"
    "j454x3 --join 454:3"
    "q14 --questions 14"
    "o16 --options 16"
)

echo "== building (profile release-lto: the distributed binary)"
cargo build --profile release-lto --quiet --bin massage-triage
bin="$target/release-lto/massage-triage"

printf '%-6s %6s %10s %10s  %s\n' set rules seconds "peak MB" verdict
for entry in "${all_sets[@]}"; do
    read -r name args <<<"$entry"
    if [[ -n "${SETS:-}" && " $SETS " != *" $name "* ]]; then
        continue
    fi
    # shellcheck disable=SC2086 # the arguments are words
    "$gen" "$work/$name" --base rules $args >/dev/null
    rules=$(grep -c '^\[\[rule\]\]' "$work/$name/rules.toml")
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" rules check --rules "$work/$name" >"$work/out" 2>&1 || true
    read -r seconds kb <"$work/time"
    verdict=$(grep -E '^rules check|^error\[not-proven\]' "$work/out" | head -1 | cut -c1-90)
    printf '%-6s %6s %10s %10s  %s\n' "$name" "$rules" "$seconds" "$((kb / 1024))" "$verdict"
done
