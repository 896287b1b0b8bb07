#!/bin/sh
# The guest side of scripts/test-update (test only: written into the throwaway disk's slots, never in
# the shipped image or a release bundle). Runs after multi-user.target in every boot, reads this
# boot's plan from the bundle disk (/dev/vdb, written by the host before each boot) and reports on the
# serial console as "WASMS_TEST key=value" lines.
#   plan words: pair, queue, refuse, install BUNDLE, cut-install BUNDLE, wait-reboot, poweroff
exec >/dev/console 2>&1
say() { echo "WASMS_TEST $*"; }
gw=/opt/wasms-gateway/wasms-gateway
unit=wasms-gateway.service
mkdir -p /run/bundles
mount -o ro /dev/vdb /run/bundles 2>/dev/null || true
plan=$(cat /run/bundles/plan 2>/dev/null)
# The gateway's own state: the report's first "state" key (later ones are its parts', e.g. the tunnel's).
state() { $gw status --json 2>/dev/null | sed -n 's/^{"state":"\([a-z-]*\)".*/\1/p'; }
field() { $gw status --json 2>/dev/null | grep -o "\"$1\":[^,}]*" | head -n1 | cut -d: -f2- | tr -d '"'; }
wait_state() {   # wait_state SECONDS STATE...: until the gateway is in one of STATEs
    limit=$1; shift; i=0
    while [ $i -lt "$limit" ]; do
        s=$(state)
        for want in "$@"; do [ "$s" = "$want" ] && return 0; done
        sleep 1; i=$((i + 1))
    done
    return 1
}
report() {
    say "boot slot=$(sed -n 's/.*rauc\.slot=\([AB]\).*/\1/p' /proc/cmdline) version=$(cat /usr/lib/wasms-update/version) uptime=$(cut -d' ' -f1 /proc/uptime)"
    say "selection $(/usr/lib/wasms-update/rauc-boot show)"
    say "last_failure_file=$(cat /run/wasms-update/last-failure 2>/dev/null)"
    say "boot_attempt=$(journalctl -b -u wasms-boot-attempt -o cat --no-pager | grep -E '^(slot|update)' | tail -n1)"
    say "store_on=$(findmnt -n -o SOURCE /var/lib/wasms-gateway)"
}
after_ready() {
    # Type=notify: active once READY=1 was sent.
    i=0
    while [ "$(systemctl show -p ActiveState --value $unit)" != active ] && [ $i -lt 300 ]; do sleep 1; i=$((i + 1)); done
    say "ready_after_boot_us=$(systemctl show -p ActiveEnterTimestampMonotonic --value $unit)"
}
data_report() {
    say "state=$(state) jid=$(field jid) queued=$($gw status --json | grep -o '"today":{[^}]*}' | grep -o '"queued":[0-9]*' | cut -d: -f2) messages=$($gw messages --json 2>/dev/null | wc -l)"
    say "hostname=$(hostname) ssh_host_key=$(cut -d' ' -f2 /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null | sha256sum | cut -c1-16)"
}

report
set -- $plan
while [ $# -gt 0 ]; do
    word=$1; shift
    case $word in
    pair)
        after_ready
        wait_state 120 unpaired || say "not unpaired: $(state)"
        qr=$($gw status --json | grep -o '"qr":"[^"]*"' | cut -d'"' -f4)
        say "qr=$qr"
        if wait_state 180 online; then say "paired jid=$(field jid)"; else say "pairing failed: $(state)"; fi ;;
    queue)
        # Pacing: HourlyCap=1 in the test's gateway.json. The first send goes; the second waits in the
        # queue for the next hour: queued data that must survive the update.
        $gw send +15555550100 "before the update 1" --id upd-1 >/dev/null 2>&1; say "send1_exit=$?"
        $gw send +15555550100 "before the update 2" --id upd-2 --no-wait >/dev/null 2>&1; say "send2_exit=$?"
        sleep 2
        data_report ;;
    check)
        after_ready
        wait_state 180 online || say "not online: $(state)"
        data_report
        say "qr_shown=$($gw status --json | grep -c '"qr":"')"
        # How the gateway reports the last update (status, screen, MQTT): installed, or rolled back with why.
        say "last_update=$($gw status --json | grep -o '"lastUpdate":{[^}]*}')"
        # mark-good runs on its own; wait for it (it polls every 5 s).
        i=0
        while /usr/lib/wasms-update/rauc-boot show | grep -q ' trial=[AB] ' && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
        say "after_mark_good $(/usr/lib/wasms-update/rauc-boot show)"
        say "rauc_booted=$(rauc status 2>/dev/null | sed -n 's/^Booted from: *//p')" ;;
    refuse)
        after_ready
        good=/run/bundles/v2-good.raucb
        dir=/var/lib/wasms-gateway/updates-test
        mkdir -p $dir
        size=$(stat -c %s $good)
        head -c $((size - 4096)) $good > $dir/truncated.raucb
        cp $good $dir/tampered.raucb
        # One byte in the middle of the payload (the squashfs image): the signature still verifies.
        printf 'X' | dd of=$dir/tampered.raucb bs=1 seek=$((size / 2)) conv=notrunc status=none
        chmod 644 $dir/*.raucb
        for b in /run/bundles/other-key.raucb $dir/truncated.raucb $dir/tampered.raucb; do
            out=$($gw update "$b" 2>&1); code=$?
            say "refused $(basename "$b") exit=$code: $(echo "$out" | tail -n1)"
        done
        # Slot B was never written on this card: every byte of it must still be zero.
        untouched=no
        cmp -s -n "$(blockdev --getsize64 /dev/vda3)" /dev/vda3 /dev/zero && untouched=yes
        say "slot_b_untouched=$untouched $(/usr/lib/wasms-update/rauc-boot show)"
        rm -rf $dir ;;
    install)
        after_ready
        b=/run/bundles/$1; shift
        out=$($gw update "$b" 2>&1); code=$?
        say "install $(basename "$b") exit=$code: $(echo "$out" | tail -n2 | tr '\n' ' ')"
        say "installed $(/usr/lib/wasms-update/rauc-boot show)"
        say "REBOOT"
        systemctl reboot
        exit 0 ;;
    install-reboot)
        # As the platform's offer does it: the service installs and asks for the reboot with a file;
        # the root path unit (wasms-update-reboot.path) reboots the board. No reboot of our own.
        after_ready
        b=/run/bundles/$1; shift
        out=$($gw update "$b" --reboot 2>&1); code=$?
        say "install $(basename "$b") exit=$code: $(echo "$out" | tail -n2 | tr '\n' ' ')"
        say "installed $(/usr/lib/wasms-update/rauc-boot show)"
        sleep 300
        say "NO_REBOOT: the reboot request was not acted on"
        exit 1 ;;
    cut-install)
        after_ready
        b=/run/bundles/$1; shift
        $gw update "$b" --no-wait >/dev/null 2>&1
        i=0
        while [ $i -lt 600 ]; do
            p=$($gw status --json | grep -o '"update":{[^}]*}' | grep -o '"percent":[0-9]*' | cut -d: -f2)
            if [ -n "$p" ] && [ "$p" -ge 30 ] && [ "$p" -lt 100 ]; then say "installing percent=$p"; break; fi
            sleep 0.5; i=$((i + 1))
        done
        say "CUT_NOW"
        sleep 600 ;;
    wait-reboot)
        # A bad slot: the host waits for the board to reset itself (mark-good's deadline or restarts).
        say "waiting for the board to reset itself"
        sleep 900 ;;
    poweroff)
        say "DONE"
        systemctl poweroff
        exit 0 ;;
    esac
done
