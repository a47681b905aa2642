#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each one for a bounded time, starting from
# the checked-in seeds. Fails when any target finds a crash, and prints the reproducer's path
# with its bytes in base64 and hex.
#
# FUZZ_SECONDS sets the run time of each target in seconds (default 60).
set -euo pipefail

cd "$(dirname "$0")/.."

# cargo-fuzz passes sanitizer flags that stable rustc accepts only with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-60}
targets=(json_request http_request record_decode pagination_token import_line operations model_sequence)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cargo fuzz build

failed=()
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    log="fuzz/artifacts/$target.log"
    mkdir -p "$corpus" "$artifacts"

    echo "fuzz: running $target for ${seconds}s"
    if cargo fuzz run "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+[[:space:]]+DONE)' "$log" || true
        continue
    fi

    failed+=("$target")
    echo "fuzz: $target failed; last lines of $log:"
    tail -n 60 "$log"
    for reproducer in "$artifacts"/*; do
        [ -f "$reproducer" ] || continue
        echo "fuzz: reproducer $reproducer"
        echo "  base64: $(base64 -w0 "$reproducer")"
        echo "  hex:    $(od -An -v -tx1 "$reproducer" | tr -d ' \n')"
        echo "  replay: RUSTC_BOOTSTRAP=1 cargo fuzz run $target $reproducer"
    done
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}; copy each reproducer to fuzz/regressions/<target>/ once fixed"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash"
