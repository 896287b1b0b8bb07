#!/usr/bin/env bash
# Tests image/update/wasms-mark-good against the real rauc-boot on a temporary boot directory, with
# stand-ins for the gateway's `status --json`, `rauc` and `systemctl` (they log what they were asked).
# Only the booted slot on trial is judged: marked good once the gateway is up, or the board rebooted
# at the deadline or after a service restart; nothing else ever reboots. Exit 0 when all pass.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/scripts/tests/lib/checks.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/boot/slot-a" "$work/boot/slot-b"
touch "$work/boot/slot-a/.complete" "$work/boot/slot-b/.complete"
export WASMS_BOOT_DIR=$work/boot WASMS_CMDLINE=$work/cmdline WASMS_BOOT_LOCK=$work/lock
export WASMS_RAUC_BOOT=$REPO/image/update/rauc-boot WASMS_GATEWAY=$work/bin/gateway
export WASMS_MARK_GOOD_DEADLINE=2 WASMS_MARK_GOOD_POLL=1 PATH=$work/bin:$PATH
# The stand-ins: the gateway reports the state in $work/state; rauc marks through the backend as RAUC does.
cat > "$work/bin/gateway" <<'SH'
#!/bin/sh
echo "{\"state\":\"$(cat "$STATE_FILE")\",\"tunnel\":{\"state\":\"online\"}}"
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
export STATE_FILE=$work/state RESTARTS_FILE=$work/restarts CALLS=$work/calls

# case BOOTED STATE-LINE GATEWAY-STATE RESTARTS: a fresh boot directory and stand-ins; runs mark-good.
case_() {
    echo "console=tty0 rauc.slot=$1" > "$work/cmdline"
    printf '%s\n' $2 > "$work/boot/wasms-boot.env"
    echo "$3" > "$STATE_FILE"; echo "$4" > "$RESTARTS_FILE"; : > "$CALLS"
    out=$("$REPO/image/update/wasms-mark-good" 2>&1); rc=$?
}
calls() { tr '\n' ';' < "$CALLS"; }

echo "# no update on trial: never judged, never rebooted, whatever the gateway's state"
case_ A "PRIMARY=A A_STATE=good B_STATE= TRIAL= TRIES= FAILED=" booting 0
expect "exit 0, nothing asked" "0 no update on trial|" "$rc $out|$(calls)"

echo "# an update installed in the other slot, waiting for its reboot: that trial is not this boot's"
case_ A "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=1 FAILED=" error 0
expect "exit 0, no reboot, B's trial untouched" "0|B=bad trial=B" "$rc|$("$WASMS_RAUC_BOOT" show | grep -o 'B=[a-z]* ' | tr -d ' ') trial=$("$WASMS_RAUC_BOOT" show | sed -n 's/.* trial=\([AB]*\) .*/\1/p')"
expect "and nothing asked of rauc or systemd" "" "$(calls)"

echo "# the booted slot on trial, the gateway online: marked good, the trial committed"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 0
expect "exit 0 and says why" "0 gateway is online: slot marked good" "$rc $out"
expect "rauc asked to mark the booted slot good" "rauc status mark-good booted;" "$(calls)"
expect "B good, no trial" "trial= tries= A=good B=good" "$("$WASMS_RAUC_BOOT" show | cut -d' ' -f3-6)"

echo "# WhatsApp's own answers count as the software working"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" client-outdated 0
expect "client-outdated: marked good" "0 rauc status mark-good booted;" "$rc $(calls)"

echo "# the booted slot on trial, the gateway never up: reboot at the deadline"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" booting 0
expect "exit 1, rebooted, not marked" "1 systemctl reboot;" "$rc $(calls)"
expect "says why" "gateway not ready within 2s (last state: booting); rebooting to the previous slot" "$out"

echo "# the booted slot on trial, the service restarted since boot: reboot at once"
case_ B "PRIMARY=B A_STATE=good B_STATE=bad TRIAL=B TRIES=0 FAILED=" online 2
expect "exit 1, rebooted, not marked" "1 systemctl reboot;" "$rc $(calls)"

finish
