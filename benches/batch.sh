#!/usr/bin/env bash
# Times `massage-triage batch` end to end (read, parse, validate, evaluate, write) on
# generated input: COUNT (default 1,000,000) JSON Lines records and the same records as
# CSV, and compares peak memory (max resident set) on COUNT records with 10,000.
#
#   benches/batch.sh                 # 1,000,000 records
#   COUNT=200000 RUNS=2 benches/batch.sh
#
# Uses hyperfine for the times when it is installed (apt-get install hyperfine), else GNU
# time; peak memory always comes from GNU time (/usr/bin/time). Output goes to a file in a
# temporary folder (removed at the end; KEEP=1 keeps it) and, separately, to standard
# output sent to /dev/null, to show the cost of writing the file apart from the rest. A
# file is synced to disk before it replaces the old one, so its figure includes writing
# the whole output (about 780 bytes a record in JSON Lines) to the disk. Other work on the machine shows up in the
# figures: run it on a quiet machine, or twice.
set -euo pipefail

cd "$(dirname "$0")/.."
COUNT=${COUNT:-1000000}
SMALL=${SMALL:-10000}
RUNS=${RUNS:-3}
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d "${TMPDIR:-/tmp}/massage-triage-bench.XXXXXX")
if [[ -z "${KEEP:-}" ]]; then
    trap 'rm -rf "$work"' EXIT
fi

echo "== building (profile release-lto: the distributed binary)"
cargo build --profile release-lto --quiet --bin massage-triage --example generate_batch
bin="$target/release-lto/massage-triage"
generate="$target/release-lto/examples/generate_batch"

echo "== generating $COUNT records (seed 1) in $work"
"$generate" --count "$COUNT" --seed 1 --format jsonl >"$work/in.jsonl"
"$generate" --count "$COUNT" --seed 1 --format csv >"$work/in.csv"
"$generate" --count "$SMALL" --seed 1 --format jsonl >"$work/small.jsonl"
"$generate" --count "$SMALL" --seed 1 --format csv >"$work/small.csv"
ls -l "$work" | awk 'NR > 1 { printf "   %-12s %6.1f MB\n", $9, $5 / 1e6 }'

have_gnu_time=false
if [[ -x /usr/bin/time ]] && /usr/bin/time -f "%M" true 2>/dev/null; then
    have_gnu_time=true
fi

# seconds for one run of: batch ARGS... (mean of RUNS with hyperfine, else one timed run)
seconds() {
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --warmup 1 --runs "$RUNS" --export-csv "$work/hf.csv" \
            "$(printf '%q ' "$bin" batch "$@")" >/dev/null 2>&1
        awk -F, 'NR == 2 { print $2 }' "$work/hf.csv"
    elif $have_gnu_time; then
        /usr/bin/time -f "%e" -o "$work/t.txt" "$bin" batch "$@" >/dev/null 2>&1
        cat "$work/t.txt"
    else
        local start end
        start=$(date +%s.%N)
        "$bin" batch "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        echo "$end - $start" | bc -l
    fi
}

# peak resident memory in MiB of one run of: batch ARGS...
peak_mib() {
    if $have_gnu_time; then
        /usr/bin/time -f "%M" -o "$work/m.txt" "$bin" batch "$@" >/dev/null 2>&1
        awk '{ printf "%.1f", $1 / 1024 }' "$work/m.txt"
    else
        echo "n/a"
    fi
}

report() {
    local label=$1 records=$2
    shift 2
    local s
    s=$(seconds "$@")
    awk -v label="$label" -v s="$s" -v n="$records" \
        'BEGIN { printf "   %-44s %7.3f s  %10.0f records/s\n", label, s, n / s }'
}

echo "== time ($(nproc) cores; $(command -v hyperfine >/dev/null && echo "hyperfine, mean of $RUNS runs" || echo "one run"))"
report "JSON Lines -> JSON Lines file" "$COUNT" --input "$work/in.jsonl" --output "$work/out.jsonl"
report "JSON Lines -> standard output (/dev/null)" "$COUNT" --input "$work/in.jsonl"
report "CSV -> JSON Lines on standard output" "$COUNT" --input "$work/in.csv"
report "CSV -> CSV file" "$COUNT" --input "$work/in.csv" --output "$work/out.csv"
RAYON_NUM_THREADS=1 report "JSON Lines -> /dev/null, one thread" "$COUNT" --input "$work/in.jsonl"

ls -l "$work"/out.* | awk '{ printf "   output %-30s %6.1f MB (%.0f bytes a record)\n", $9, $5 / 1e6, $5 / '"$COUNT"' }'
echo "== peak memory (max resident set)"
printf "   %-44s %7s MiB\n" "JSON Lines, $COUNT records" "$(peak_mib --input "$work/in.jsonl" --output "$work/out.jsonl")"
printf "   %-44s %7s MiB\n" "JSON Lines, $SMALL records" "$(peak_mib --input "$work/small.jsonl" --output "$work/out.jsonl")"
printf "   %-44s %7s MiB\n" "CSV, $COUNT records" "$(peak_mib --input "$work/in.csv" --output "$work/out.csv")"
printf "   %-44s %7s MiB\n" "CSV, $SMALL records" "$(peak_mib --input "$work/small.csv" --output "$work/out.csv")"
printf "   %-44s %7s MiB\n" "JSON Lines from standard input, $COUNT" "$(peak_mib <"$work/in.jsonl")"
