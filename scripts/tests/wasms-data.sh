#!/usr/bin/env bash
# Tests overlays/rootfs/usr/local/sbin/wasms-data: the settings a gateway was given survive into
# another slot (save on one root, restore on an empty one), with modes, owners and symlinks kept, and
# a first boot (nothing saved) changes nothing. Exit 0 when all pass, 1 otherwise.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
tool=$REPO/overlays/rootfs/usr/local/sbin/wasms-data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$REPO/scripts/tests/lib/checks.sh"
run() { WASMS_ROOT=$1 WASMS_DATA_DIR=$work/data "$tool" "${@:2}"; }

old=$work/slot-a new=$work/slot-b
mkdir -p "$old/etc/ssh" "$old/etc/wasms-gateway" "$old/etc/wpa_supplicant" "$old/root/.ssh" "$new/etc" "$work/data"
echo gateway-7 > "$old/etc/hostname"
ln -s /usr/share/zoneinfo/Europe/Berlin "$old/etc/localtime"
printf 'network={\n\tpsk=00\n}\n' > "$old/etc/wpa_supplicant/wpa_supplicant.conf"; chmod 600 "$old/etc/wpa_supplicant/wpa_supplicant.conf"
echo '{"Mqtt":{"Host":"broker"}}' > "$old/etc/wasms-gateway/gateway.json"; chmod 640 "$old/etc/wasms-gateway/gateway.json"
echo "ssh-ed25519 AAAA test" > "$old/root/.ssh/authorized_keys"; chmod 700 "$old/root/.ssh"; chmod 600 "$old/root/.ssh/authorized_keys"
echo private > "$old/etc/ssh/ssh_host_ed25519_key"; chmod 600 "$old/etc/ssh/ssh_host_ed25519_key"
echo "new slot's default" > "$new/etc/hostname"

expect "first boot: nothing saved, nothing restored" "wasms-data: nothing saved yet (first boot)" "$(run "$new" restore)"
expect "and the new slot's file is untouched" "new slot's default" "$(cat "$new/etc/hostname")"
run "$old" save >/dev/null
expect "the saved copy is private" 700 "$(stat -c %a "$work/data/keep")"
expect "restore brings 6 files back" "wasms-data: 6 setting file(s) restored from $work/data/keep" "$(run "$new" restore)"
expect "hostname" gateway-7 "$(cat "$new/etc/hostname")"
expect "time zone symlink" /usr/share/zoneinfo/Europe/Berlin "$(readlink "$new/etc/localtime")"
expect "Wi-Fi config mode" 600 "$(stat -c %a "$new/etc/wpa_supplicant/wpa_supplicant.conf")"
expect "gateway.json content and mode" '{"Mqtt":{"Host":"broker"}} 640' "$(cat "$new/etc/wasms-gateway/gateway.json") $(stat -c %a "$new/etc/wasms-gateway/gateway.json")"
expect "root's key and its private directory" "600 700" "$(stat -c %a "$new/root/.ssh/authorized_keys") $(stat -c %a "$new/root/.ssh")"
expect "SSH host key" "private 600" "$(cat "$new/etc/ssh/ssh_host_ed25519_key") $(stat -c %a "$new/etc/ssh/ssh_host_ed25519_key")"
expect "no temporary files left" "" "$(find "$new" "$work/data" -name '*.wasms-tmp')"
# A later save replaces the copy (provisioning changed the hostname).
echo gateway-8 > "$new/etc/hostname"; run "$new" save >/dev/null
expect "a later save replaces the copy" gateway-8 "$(cat "$work/data/keep/etc/hostname")"
expect "unknown command: usage, 64" 64 "$(run "$new" frobnicate 2>/dev/null; echo $?)"

finish
