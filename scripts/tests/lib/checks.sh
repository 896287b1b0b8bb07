# Checks shared by scripts/tests/*.sh (sourced; in a subfolder so scripts/test does not run it as a test).
#   expect DESCRIPTION EXPECTED ACTUAL            equal strings
#   expect_exit DESCRIPTION EXIT PART COMMAND...  COMMAND exits EXIT and its output contains PART
#   finish                                        prints the counts; returns 1 if any check failed
# A test may define on_failure (called after a failed check) to print what helps read it.
failures=0 passed=0

expect() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failures=$((failures + 1))
        echo "FAIL $1"; echo "     expected: $2"; echo "     actual:   $3"
        if declare -F on_failure >/dev/null; then on_failure; fi
    fi
}

expect_exit() {
    local what=$1 code=$2 part=$3 out rc; shift 3
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$code" ] && [[ $out == *"$part"* ]]; then
        passed=$((passed + 1)); echo "ok   $what"
    else
        failures=$((failures + 1)); echo "FAIL $what: exit $rc (expected $code), output: $out (expected to contain: $part)"
    fi
}

finish() {
    echo "$passed passed, $failures failed"
    [ "$failures" -eq 0 ]
}
