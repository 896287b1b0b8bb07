#!/usr/bin/env bash
# Tests image/update/wasms-mark-good against the real rauc-boot on a temporary boot directory, with
# stand-ins for the gateway's `status --json`, `rauc` and `systemctl` (they log what they were asked).
# Only the booted slot on trial is judged: marked good once the gateway is up and held up, or the
# board rebooted at the deadline or after a service restart, with the reason noted for the next boot's
# failure record; nothing else ever reboots. Exit 0 when all pass.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/scripts/tests/lib/checks.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/boot/slot-a" "$work/boot/slot-b"
touch "$work/boot/slot-a/.complete" "$work/boot/slot-b/.complete"
export WASMS_BOOT_DIR=$work/boot WASMS_CMDLINE=$work/cmdline WASMS_BOOT_LOCK=$work/lock
export WASMS_RAUC_BOOT=$REPO/image/update/rauc-boot WASMS_GATEWAY=$work/bin/gateway
export WASMS_MARK_GOOD_DEADLINE=2 WASMS_MARK_GOOD_POLL=1 WASMS_MARK_GOOD_HOLD=0 PATH=$work/bin:$PATH
# The stand-ins: the gateway reports the state in $work/state; rauc marks through the backend as RAUC does.
cat > "$work/bin/gateway" <<'SH'
#!/bin/sh
# With RESTART_AT=N, systemd "restarts" the service (NRestarts 1) from the Nth status call on.
n=$(( $(cat "$COUNT_FILE" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$COUNT_FILE"
[ -z "${RESTART_AT:-}" ] || [ "$n" -lt "$RESTART_AT" ] || echo 1 > "$RESTARTS_FILE"
# With STATES="a b c", the Nth call reports the Nth state (the last one after that); "-" answers nothing.
state=$(cat "$STATE_FILE")
if [ -n "${STATES:-}" ]; then set -- $STATES; shift $(( n <= $# ? n - 1 : $# - 1 )); state=$1; fi
[ "$state" != - ] || exit 1
echo "{\"state\":\"$state\",\"tunnel\":{\"state\":\"online\"}}"
SH
cat > "$work/bin/rauc" <<'SH'
#!/bin/sh
echo "rauc $*" >> "$CALLS"
[ "$1 $2 $3" = "status mark-good booted" ] && exec "$WASMS_RAUC_BOOT" set-state "$("$WASMS_RAUC_BOOT" get-current)" good >/dev/null
SH
cat > "$work/bin/systemctl" <<'SH'
#!/bin/sh
case $1 in
show) cat "$RESTARTS_FILE" ;;
*) echo "systemctl $*" >> "$CALLS" ;;
esac
SH
chmod +x "$work/bin/"*
export STATE_FILE=$work/state RESTARTS_FILE=$work/restarts CALLS=$work/calls COUNT_FILE=$work/count

# case BOOTED STATE-LINE GATEWAY-STATE RESTARTS: a fresh boot directory and stand-ins; runs mark-good.
case_() {
    echo "console=tty0 rauc.slot=$1" > "$work/cmdline"
    printf '%s\n' $2 > "$work/boot/wasms-boot.env"
    echo "$3" > "$STATE_FILE"; echo "$4" > "$RESTARTS_FILE"; : > "$CALLS"; rm -f "$COUNT_FILE"
    out=$("$REPO/image/update/wasms-mark-good" 2>&1); rc=$?
}
calls() { tr '\n' ';' < "$CALLS"; }
# failed_after_reboot: the failure the next boot (slot A, the fallback) records for B's trial.
failed_after_reboot() {
    echo "console=tty0 rauc.slot=A" > "$work/cmdline"
    "$WASMS_RAUC_BOOT" boot-attempt >/dev/null && "$WASMS_RAUC_BOOT" last-failure
}

echo "# no update on trial: never judged, never rebooted, whatever the gateway's state"
case_ A "PRIMARY=A A_STATE=good B_STATE= TRIAL= TRIES= FAILED=" booting 0
expect "exit 0, nothing asked" "0 no update on trial|" "$rc $out|$(calls)"

echo "# an update installed in the other slot, waiting for its reboot: that trial is not this boot's"
case_ A "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=1 FAILED=" error 0
expect "exit 0, no reboot, B's trial untouched" "0|B=bad trial=B" "$rc|$("$WASMS_RAUC_BOOT" show | grep -o 'B=[a-z]* ' | tr -d ' ') trial=$("$WASMS_RAUC_BOOT" show | sed -n 's/.* trial=\([AB]*\) .*/\1/p')"
expect "and nothing asked of rauc or systemd" "" "$(calls)"

echo "# the booted slot on trial, the gateway online: marked good, the trial committed"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 0 and says why" "0 gateway is online and held 0s without a restart: slot marked good" "$rc $out"
expect "rauc asked to mark the booted slot good" "rauc status mark-good booted;" "$(calls)"
expect "B good, no trial" "trial= tries= A=good B=good" "$("$WASMS_RAUC_BOOT" show | cut -d' ' -f3-6)"

echo "# WhatsApp's own answers count as the software working"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" client-outdated 0
expect "client-outdated: marked good" "0 rauc status mark-good booted;" "$rc $(calls)"

echo "# the booted slot on trial, the gateway never up: reboot at the deadline"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" booting 0
expect "exit 1, rebooted, not marked" "1 systemctl reboot;" "$rc $(calls)"
expect "says why" "gateway not ready within 2s - last state booting; rebooting to the previous slot" "$out"
expect "and the next boot records it" "B: not marked good - gateway not ready within 2s - last state booting" "$(failed_after_reboot)"

echo "# the booted slot on trial, the service restarted since boot: reboot at once"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 2
expect "exit 1, rebooted, not marked" "1 systemctl reboot;" "$rc $(calls)"
expect "the next boot records why" "B: not marked good - gateway restarted 2 times since boot - watchdog or crash" "$(failed_after_reboot)"

echo "# up, but the watchdog restarts the service within the hold: not marked good, rebooted"
export WASMS_MARK_GOOD_HOLD=3 WASMS_MARK_GOOD_DEADLINE=10 RESTART_AT=3
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 1, rebooted, never marked" "1 systemctl reboot;" "$rc $(calls)"
expect "after two polls up" "3" "$(cat "$COUNT_FILE")"
expect "the next boot records why" "B: not marked good - gateway restarted 1 times since boot - watchdog or crash" "$(failed_after_reboot)"

echo "# up and held for the whole hold: marked good only then"
unset RESTART_AT
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 0, marked good" "0 rauc status mark-good booted;" "$rc $(calls)"
expect "after the hold (4 polls, 1 s apart)" "4" "$(cat "$COUNT_FILE")"
expect "says so" "gateway is online and held 3s without a restart: slot marked good" "$out"

echo "# up in time, but the hold runs past the deadline: still marked good"
export WASMS_MARK_GOOD_DEADLINE=1
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" connecting 0
expect "exit 0, marked good" "0 rauc status mark-good booted;" "$rc $(calls)"

echo "# up in time, then one slow answer and a QR scan during the hold: still marked good"
export WASMS_MARK_GOOD_HOLD=4 WASMS_MARK_GOOD_DEADLINE=1 STATES="online online - pairing online online online online"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 0, marked good" "0 rauc status mark-good booted;" "$rc $(calls)"

echo "# up, then three polls without an answer after the deadline: the hold starts again, too late"
export STATES="online - - - online"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 1, rebooted" "1 systemctl reboot;" "$rc $(calls)"
unset STATES

echo "# note: only for a trial of the booted slot"
echo "console=tty0 rauc.slot=A" > "$work/cmdline"
printf '%s\n' PRIMARY=A A_STATE=good B_STATE= TRIAL= TRIES= FAILED= > "$work/boot/wasms-boot.env"
"$WASMS_RAUC_BOOT" note "anything" 2>/dev/null; expect "refused with no trial" "1" "$?"

finish
