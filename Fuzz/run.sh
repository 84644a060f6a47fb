#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build`, one after another, and prints one line per target:
#   fuzz FuzzJSON: ok, 10000000 runs in 412 s (24271 runs/s), corpus 1203 inputs
#   fuzz FuzzHosts: FAILED (timeout) after 52 s; reproducer Fuzz/.build/artifacts/FuzzHosts/timeout-…; log …
# Exits 1 when any target crashed, hung past -timeout, leaked, ran out of memory or did not start.
#
# Usage: Fuzz/run.sh [TARGET…]   (default: every target). Settings from the environment (the Makefile sets them):
#   FUZZ_SECONDS  -max_total_time per target (default 3600)     FUZZ_RUNS     -runs per target (default 10000000)
#   FUZZ_TIMEOUT  -timeout per input, seconds (default 10)      FUZZ_RSS_MB   -rss_limit_mb (default 2048)
#   FUZZ_MAX_LEN  -max_len, bytes (default 65536)               FUZZ_ARGS     further libFuzzer flags
# New inputs go to Fuzz/.build/corpus/<target> (not committed); the seeds in Fuzz/Corpus/<target> are read only.
# Fuzz/Dictionaries/<target>.dict, when there is one, is passed as -dict.
# Crash, timeout and leak reproducers go to Fuzz/.build/artifacts/<target>/, logs to Fuzz/.build/logs/<target>.log.
set -uo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
bin_dir=$fuzz_dir/.build/release
seconds=${FUZZ_SECONDS:-3600}
runs=${FUZZ_RUNS:-10000000}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
max_len=${FUZZ_MAX_LEN:-65536}
# Leaks in the toolchain's own libraries that are not ours to fix; each is explained in the file.
export LSAN_OPTIONS="suppressions=$fuzz_dir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Swift's own crash backtracer would take the trap first and trip ASan while it reads memory; libFuzzer reports
# the trap itself (with the Swift runtime failure in the stack) and writes the reproducer.
export SWIFT_BACKTRACE=enable=no
all_targets=(FuzzJSON FuzzActivity FuzzHTMLText FuzzHosts FuzzCavageSignature FuzzMessageSignature FuzzRuleLoader)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

failed=0
passed=0
failures=0
for target in "${targets[@]}"; do
    binary=$bin_dir/$target
    work=$fuzz_dir/.build/corpus/$target
    artifacts=$fuzz_dir/.build/artifacts/$target
    log=$fuzz_dir/.build/logs/$target.log
    mkdir -p "$work" "$artifacts" "$(dirname "$log")" "$fuzz_dir/Corpus/$target"
    if [ ! -x "$binary" ]; then
        echo "fuzz $target: FAILED (not built: $binary is missing; run make fuzz-build)"
        failed=1
        continue
    fi
    dictionary=()
    [ -f "$fuzz_dir/Dictionaries/$target.dict" ] && dictionary=(-dict="$fuzz_dir/Dictionaries/$target.dict")
    start=$(date +%s)
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "$binary" -max_total_time="$seconds" -runs="$runs" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" "${dictionary[@]}" ${FUZZ_ARGS:-} \
        "$work" "$fuzz_dir/Corpus/$target" >"$log" 2>&1
    status=$?
    elapsed=$(($(date +%s) - start))
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        inputs=$(find "$work" "$fuzz_dir/Corpus/$target" -type f | wc -l)
        echo "fuzz $target: ok, ${executed:-?} runs in $elapsed s (${per_second:-?} runs/s), corpus $inputs inputs"
        passed=$((passed + 1))
        continue
    fi
    failed=1
    failures=$((failures + 1))
    kind=crash
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then kind=timeout
    elif grep -q 'ERROR: libFuzzer: out-of-memory\|ERROR: libFuzzer: malloc' "$log"; then kind=out-of-memory
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then kind=leak
    elif grep -q 'ERROR: AddressSanitizer' "$log"; then kind="memory error: $(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$log")"
    elif grep -q 'Swift runtime failure: ' "$log"; then
        kind="trap: $(grep -m1 -o 'Swift runtime failure: [^/]*' "$log" | sed 's/ *$//')"
    elif grep -q 'Fatal error\|Precondition failed\|Assertion failed' "$log"; then
        kind="trap: $(grep -m1 -o '\(Fatal error\|Precondition failed\|Assertion failed\).*' "$log" | cut -c1-160)"
    fi
    if [ "$kind" = crash ] && ! grep -q '^#[0-9]' "$log"; then
        kind="did not start: $(grep -m1 -v '^INFO' "$log" | cut -c1-160)"
    fi
    # The first of our frames in the report itself, not in anything logged before it.
    where=$(sed -n '/ERROR: \|Swift runtime failure\|Fatal error/,$p' "$log" \
        | grep -m1 -o 'in \$s[^ ]* /[^ ]*/Sources/[^ ]*\.swift:[0-9]*' | sed 's/.* //')
    [ -n "$where" ] && kind="$kind at ${where#"$(dirname "$fuzz_dir")/"}"
    reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "fuzz $target: FAILED ($kind) after $elapsed s, exit $status; reproducer ${reproducer:-none}; log $log"
    echo "  reproduce with: $binary ${reproducer:-<input>}"
done
echo "fuzz: $passed passed, $failures failed"
exit $failed
