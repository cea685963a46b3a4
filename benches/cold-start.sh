#!/usr/bin/env bash
# Times a cold built-in `assess` against a hello-world process (`cargo new hello`, built
# with --release), the floor a process starts from, with hyperfine, and counts their page
# faults with perf when it is there.
#
# Both are measured as installed copies (`install`), each in two states of the page cache:
#   read from disk  its pages evicted first (`dd iflag=nocache`), then read back at the
#                   first run, as after a reboot: the state of a tool installed a while ago;
#   just copied     the pages `install` wrote, which the kernel maps more at a time: about
#                   30 fewer page faults for our 6 MB binary (none fewer for hello, small).
# The binary as the linker left it in target/ is measured in neither: the linker writes its
# pages in yet another way (about 20 more faults than read from disk), and no one runs it
# from there for long.
#
#   benches/cold-start.sh              # builds the static release-lto binary first
#   RUNS=1000 benches/cold-start.sh    # quicker
#   DYNAMIC=1 benches/cold-start.sh    # also the dynamically linked release-lto binary
#
# Other work on the machine shows up in the figures: compare ratios from one run only.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-3000}
answers=examples/desk-worker.toml
work=$(mktemp -d "${TMPDIR:-/tmp}/massage-triage-cold.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The binary to distribute (README, "Distributing").
target_dir=${CARGO_TARGET_DIR:-target}
RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --profile release-lto --target x86_64-unknown-linux-gnu
install -m 755 "$target_dir/x86_64-unknown-linux-gnu/release-lto/massage-triage" "$work/massage-triage"

binaries=(massage-triage hello-world)
if [[ ${DYNAMIC:-0} == 1 ]]; then
    cargo build --quiet --profile release-lto
    install -m 755 "$target_dir/release-lto/massage-triage" "$work/massage-triage-dynamic"
    binaries+=(massage-triage-dynamic)
fi

(cd "$work" && cargo new --quiet hello && cd hello && env -u CARGO_TARGET_DIR cargo build --quiet --release)
install -m 755 "$work/hello/target/release/hello" "$work/hello-world"

args="assess --answers $answers --format json"
commands=("$work/hello-world" "$work/massage-triage $args")
if [[ ${DYNAMIC:-0} == 1 ]]; then
    commands+=("$work/massage-triage-dynamic $args")
fi

measure() {
    local state=$1
    echo "== $state"
    hyperfine -N --warmup 300 --runs "$runs" "${commands[@]}" 2>&1 | grep -E 'Benchmark|Time \(mean|times faster'
    if command -v perf >/dev/null && perf stat -e page-faults true >/dev/null 2>&1; then
        for command in "${commands[@]}"; do
            # shellcheck disable=SC2086 # the command's words
            faults=$(perf stat -x, -r 100 -e page-faults $command 2>&1 >/dev/null | cut -d, -f1)
            echo "page faults: $faults  ${command#"$work/"}"
        done
    fi
}

# The first run after the eviction reads the pages back; hyperfine's warm-up includes it.
sync
for binary in "${binaries[@]}"; do
    dd if="$work/$binary" iflag=nocache count=0 status=none
done
measure "read from disk"

for binary in "${binaries[@]}"; do
    install -m 755 "$work/$binary" "$work/$binary.copy"
    mv "$work/$binary.copy" "$work/$binary"
done
measure "just copied"
