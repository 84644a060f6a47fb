#!/usr/bin/env bash
# Folds inputs found by earlier runs (Fuzz/.build/corpus/<target>) into the kept corpora (Fuzz/Corpus/<target>),
# keeping the corpora small: libFuzzer's -set_cover_merge picks a small set of inputs that reaches every feature
# the kept corpus does not, and of those only inputs of at most FUZZ_KEEP_BYTES (default 2048) are kept, smallest
# first, up to FUZZ_KEEP_KB (default 150) per target and merge. Usage: Fuzz/merge.sh [TARGET…] (default: every target).
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
keep_bytes=${FUZZ_KEEP_BYTES:-2048}
keep_kb=${FUZZ_KEEP_KB:-150}
export LSAN_OPTIONS="suppressions=$fuzz_dir/lsan.supp" SWIFT_BACKTRACE=enable=no
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FuzzJSON FuzzActivity FuzzHTMLText FuzzHosts FuzzCavageSignature FuzzMessageSignature FuzzRuleLoader)
for target in "${targets[@]}"; do
    found=$fuzz_dir/.build/corpus/$target
    kept=$fuzz_dir/Corpus/$target
    picked=$(mktemp -d)
    mkdir -p "$found" "$kept"
    # The output folder starts as a copy of the kept corpus, so only inputs that reach what it lacks are added.
    cp -p "$kept"/. "$picked"/ -r
    "$fuzz_dir/.build/release/$target" -set_cover_merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        "$picked" "$found" >"$fuzz_dir/.build/logs/$target.merge.log" 2>&1
    for file in "$kept"/*; do rm -f "$picked/$(basename "$file")"; done
    budget=$((keep_kb * 1024))
    added=0
    while read -r size file; do
        [ "$size" -gt "$keep_bytes" ] || [ $((added + size)) -gt "$budget" ] && break
        cp "$file" "$kept/"
        added=$((added + size))
    done < <(find "$picked" -type f -printf '%s %p\n' | sort -n)
    echo "merge $target: $(find "$picked" -type f | wc -l) inputs add coverage, kept $(find "$kept" -type f | wc -l) in all (+$((added / 1024)) KiB)"
    rm -rf "$picked"
done
