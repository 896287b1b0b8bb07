#!/usr/bin/env bash
# Tests image/update/rauc-boot (the RAUC custom bootloader backend) against a
# temporary directory standing in for the FAT boot partition. Runs on any Linux host, no root, no qemu.
# Each case prints what it checks; a failure prints the expected and actual values and the state file.
# Exit 0 when all pass, 1 otherwise.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BACKEND=$REPO/image/update/rauc-boot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WASMS_BOOT_DIR=$work/boot WASMS_CMDLINE=$work/cmdline WASMS_BOOT_LOCK=$work/lock/rauc-boot.lock
source "$REPO/scripts/tests/lib/checks.sh"

# A fresh card as scripts/build-image lays it out: slot A installed, selected and good; slot B empty.
fresh() {
    rm -rf "$work/boot" && mkdir -p "$work/boot/slot-a"
    echo "console=tty0 root=PARTUUID=5761534d-02 rw rootwait rauc.slot=A" > "$work/boot/slot-a/cmdline.txt"
    touch "$work/boot/slot-a/.complete"
    printf 'PRIMARY=A\nA_STATE=good\nB_STATE=\nTRIAL=\nTRIES=\nFAILED=\n' > "$work/boot/wasms-boot.env"
    echo "os_prefix=slot-a/" > "$work/boot/wasms-slot.txt"
    boot_into A
    # What a bundle carries: the new root filesystem's boot files, cmdline.txt as its kernel hook wrote it.
    rm -rf "$work/bundle-boot" && mkdir -p "$work/bundle-boot/overlays"
    echo "console=tty0 console=ttyS1,115200 root=PARTUUID=5761534d-02 rw fsck.repair=yes rootwait" > "$work/bundle-boot/cmdline.txt"
    echo "kernel v2" > "$work/bundle-boot/vmlinuz"
    echo "overlay" > "$work/bundle-boot/overlays/wasms-spi0.dtbo"
}

# boot_into X: what the firmware does at power-on, reading the same files a Pi reads.
boot_into() { local part=02; [ "$1" = B ] && part=03; echo "console=tty0 root=PARTUUID=5761534d-$part rw rauc.slot=$1" > "$work/cmdline"; }
firmware_boot() {
    local prefix
    prefix=$(sed -n 's/^os_prefix=//p' "$work/boot/wasms-slot.txt" 2>/dev/null | tail -n1)
    [ -n "$prefix" ] || prefix=slot-a/
    boot_into "$(sed -n 's/.*rauc\.slot=\([AB]\).*/\1/p' "$work/boot/${prefix}cmdline.txt")"
}

run() { "$BACKEND" "$@"; }
on_failure() {   # the state files, after a failed check
    sed 's/^/     state: /' "$work/boot/wasms-boot.env" 2>/dev/null
    sed 's/^/     slot:  /' "$work/boot/wasms-slot.txt" 2>/dev/null
}
# install_b: what RAUC does for a bundle with the custom backend (src/install.c): mark the target
# bad, write it (the bundle's slot hook stages its boot files), then make it primary.
install_b() {
    run set-state B bad >/dev/null && run stage B "$work/bundle-boot" >/dev/null && run set-primary B >/dev/null
}

echo "# RAUC's view of a fresh card"
fresh
expect "get-primary is A" A "$(run get-primary)"
expect "get-current reads rauc.slot= from the command line" A "$(run get-current)"
expect "A is good" good "$(run get-state A)"
expect "B (empty) is bad" bad "$(run get-state B)"

echo "# stage: the bundle hook copies boot files and points cmdline.txt at slot B"
fresh
run stage B "$work/bundle-boot" >/dev/null
expect "cmdline.txt has B's root and rauc.slot=B, the rest kept" \
    "console=tty0 console=ttyS1,115200 rw fsck.repair=yes rootwait root=PARTUUID=5761534d-03 rauc.slot=B" \
    "$(cat "$work/boot/slot-b/cmdline.txt")"
expect "kernel and overlays copied" "kernel v2 overlay" "$(cat "$work/boot/slot-b/vmlinuz" "$work/boot/slot-b/overlays/wasms-spi0.dtbo" | paste -sd' ')"
expect "slot-b marked complete" yes "$([ -f "$work/boot/slot-b/.complete" ] && echo yes)"
expect "no half-copied directory left" no "$([ -e "$work/boot/slot-b.new" ] && echo yes || echo no)"
expect "A still selected after staging" "os_prefix=slot-a/" "$(cat "$work/boot/wasms-slot.txt")"
expect_exit "stage refuses the running slot" 1 "slot A is the one the firmware boots" run stage A "$work/bundle-boot"
expect_exit "stage refuses a directory without cmdline.txt" 1 "has no cmdline.txt" run stage B "$work"

echo "# set-primary refuses a slot without complete boot files (hook not run, or power cut while copying)"
fresh
mkdir -p "$work/boot/slot-b"; echo "half" > "$work/boot/slot-b/vmlinuz"
expect_exit "set-primary B refused" 1 "slot B has no complete boot files" run set-primary B
expect "A still selected" "os_prefix=slot-a/" "$(cat "$work/boot/wasms-slot.txt")"
expect "A still primary" A "$(run get-primary)"

echo "# good path: install B, reboot, B comes up and is marked good"
fresh
install_b
expect "B primary after install" B "$(run get-primary)"
expect "B still bad until marked good" bad "$(run get-state B)"
expect "firmware will boot slot-b" "os_prefix=slot-b/" "$(cat "$work/boot/wasms-slot.txt")"
firmware_boot
expect "the firmware boots B" B "$(run get-current)"
run boot-attempt >/dev/null
expect "last attempt arms the fallback: the next boot is A" "os_prefix=slot-a/" "$(cat "$work/boot/wasms-slot.txt")"
run set-state B good >/dev/null   # rauc status mark-good (our mark-good hook)
expect "B good" good "$(run get-state B)"
expect "commit: firmware boots B from now on" "os_prefix=slot-b/" "$(cat "$work/boot/wasms-slot.txt")"
expect "no trial left" "selected=B primary=B trial= tries= A=good B=good failed=" "$(run show)"
firmware_boot; run boot-attempt >/dev/null
expect "later boots stay on B" B "$(run get-current)"
expect "and nothing changes" "selected=B primary=B trial= tries= A=good B=good failed=" "$(run show)"

echo "# no install over the fallback while the running slot is on trial"
fresh
install_b
firmware_boot; run boot-attempt >/dev/null
expect_exit "set-state A bad refused while B (running) is on trial" 1 "slot B (running) is still on trial and slot A is its fallback" run set-state A bad
expect "A still good and the fallback" "selected=A primary=B trial=B tries=0 A=good B=bad" "$(run show | cut -d' ' -f1-6)"
run set-state B good >/dev/null
run set-state A bad >/dev/null
expect "once B is marked good, A can be written" "A=bad B=good" "$(run show | cut -d' ' -f5,6)"

echo "# a note is about the attempt it was made in (WASMS_BOOT_ATTEMPTS=2)"
fresh
WASMS_BOOT_ATTEMPTS=2 install_b
firmware_boot; run boot-attempt >/dev/null
run note "gateway restarted 1 times since boot - watchdog or crash"
firmware_boot; run boot-attempt >/dev/null   # the second attempt: the first one's note goes
firmware_boot; run boot-attempt >/dev/null   # the second attempt hung before the gateway: no note
expect "the failure has no stale note" "B: not marked good within its boot attempts" "$(run last-failure)"

echo "# rollback: B never becomes ready (reset before mark-good)"
fresh
install_b
firmware_boot; run boot-attempt >/dev/null
firmware_boot   # the mark-good deadline (or the watchdog, a panic, a power cut) resets the board
expect "one extra boot lands on A" A "$(run get-current)"
out=$(run boot-attempt)
expect "boot-attempt on A says the update failed" "update to slot B failed (not marked good); back on slot A" "$out"
expect "A primary and selected, B bad, failure recorded" \
    "selected=A primary=A trial= tries= A=good B=bad failed=B: not marked good within its boot attempts" "$(run show)"
expect "last-failure for the gateway to report" "B: not marked good within its boot attempts" "$(run last-failure)"
run clear-failure
expect "clear-failure empties it" "" "$(run last-failure)"
firmware_boot; run boot-attempt >/dev/null
expect "the next boot is A again" A "$(run get-current)"
run set-state A good >/dev/null; printf 'FAILED=B: earlier failure\n' >> "$work/boot/wasms-boot.env"
install_b
expect "a new trial clears the last failure" "" "$(run last-failure)"

echo "# two attempts (WASMS_BOOT_ATTEMPTS=2): the first crash retries B, the second falls back"
fresh
WASMS_BOOT_ATTEMPTS=2 install_b
firmware_boot; run boot-attempt >/dev/null
expect "first attempt keeps B selected" "os_prefix=slot-b/" "$(cat "$work/boot/wasms-slot.txt")"
firmware_boot; run boot-attempt >/dev/null
expect "second boot is B again" B "$(run get-current)"
expect "second attempt arms A" "os_prefix=slot-a/" "$(cat "$work/boot/wasms-slot.txt")"
firmware_boot; run boot-attempt >/dev/null
expect "third boot is A with the failure recorded" "A B: not marked good within its boot attempts" "$(run get-current) $(run last-failure)"

echo "# power cut between the state write and the selection write of set-primary"
fresh
run stage B "$work/bundle-boot" >/dev/null
printf 'PRIMARY=B\nA_STATE=good\nB_STATE=bad\nTRIAL=B\nTRIES=1\nFAILED=\n' > "$work/boot/wasms-boot.env"
firmware_boot; run boot-attempt >/dev/null
expect "A boots and the trial is reported failed, A primary" "A selected=A primary=A trial= tries= A=good B=bad failed=B: not marked good within its boot attempts" "$(run get-current) $(run show)"

echo "# mark-bad of the running slot after an update falls back to the other good slot"
fresh
install_b; firmware_boot; run boot-attempt >/dev/null; run set-state B good >/dev/null
run set-state B bad >/dev/null   # rauc status mark-bad booted
expect "A primary and selected again" "selected=A primary=A" "$(run show | cut -d' ' -f1,2)"

echo "# mark-active booted (set-primary of the running slot) needs no trial"
fresh
run set-primary A >/dev/null
expect "no trial" "selected=A primary=A trial= tries=" "$(run show | cut -d' ' -f1-4)"

echo "# writers at the same time (RAUC's service, boot-attempt, mark-good, a hook) lose no key"
fresh
printf 'PRIMARY=A\nA_STATE=good\nB_STATE=good\nTRIAL=\nTRIES=\nFAILED=old\n' > "$work/boot/wasms-boot.env"
pids=
for i in $(seq 1 12); do
    ( for j in 1 2 3 4 5; do run set-state B good; run clear-failure; run set-state A good; done ) >/dev/null 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
expect "every key still there after 180 concurrent writes" "selected=A primary=A trial= tries= A=good B=good failed=" "$(run show)"
expect "no temporary file left behind" "" "$(ls "$work/boot" | grep '\.tmp' || true)"

echo "# bad input: one line, exit code"
fresh
expect_exit "unknown slot" 1 "unknown slot 'C'" run get-state C
expect_exit "unknown command" 64 "usage:" run frobnicate
expect_exit "missing command line slot" 1 "no rauc.slot=" env WASMS_CMDLINE=/dev/null "$BACKEND" get-current
expect_exit "no boot partition" 1 "is not there" env WASMS_BOOT_DIR="$work/nothing" "$BACKEND" get-primary
expect_exit "lock file cannot be made" 1 "cannot create the lock file" env WASMS_BOOT_LOCK=/proc/nope/lock "$BACKEND" set-state A good
printf 'PRIMARY=A\nA_STATE=$(touch %s/pwned)\n' "$work" > "$work/boot/wasms-boot.env"
run get-state A >/dev/null
expect "a damaged state file is read, never executed" no "$([ -e "$work/pwned" ] && echo yes || echo no)"
expect "and its odd value does not count as good" bad "$(run get-state A)"

finish
