#!/usr/bin/env bash
# Tests scripts/lib/ab-boot.sh, the qemu harness's stand-in for the Pi firmware: on a disk image with
# a FAT partition at the image's offset (made without root: mkfs.vfat on a plain file, mtools), the slot
# chosen follows config.txt, its include and wasms-slot.txt exactly as image/update/rauc-boot writes it.
# Needs mtools and dosfstools. Exit 0 when all pass, 1 otherwise.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/scripts/lib/ab-boot.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$REPO/scripts/tests/lib/checks.sh"

# A disk with the FAT partition at 4 MiB (as image/image.conf); the partition table itself is not read.
disk=$work/disk.img offset=$((4 * 1048576))
truncate -s 40M "$disk"
mkfs.vfat -C -n RASPIFIRM "$work/fat.img" 32768 >/dev/null
dd if="$work/fat.img" of="$disk" bs=1M seek=4 conv=notrunc status=none
put() { printf '%s' "$2" > "$work/put" && MTOOLS_SKIP_CHECK=1 mcopy -o -i "$disk@@$offset" "$work/put" "::$1"; }
mkdirs() { MTOOLS_SKIP_CHECK=1 mmd -i "$disk@@$offset" "::$1" 2>/dev/null || true; }

# config.txt as raspi-firmware writes it, with our slot lines at the end.
put config.txt $'# generated\narm_64bit=1\nkernel=vmlinuz-6.1.0-30-arm64\n# initrd\ninitramfs initrd.img-6.1.0-30-arm64 followkernel\n[pi4]\narm_boost=1\n[all]\n[tryboot]\nos_prefix=slot-b/\n[all]\nos_prefix=slot-a/\ninclude wasms-slot.txt\n'
for s in a b; do
    S=$(echo $s | tr ab AB) part=02; [ $s = b ] && part=03
    mkdirs "slot-$s"
    put "slot-$s/vmlinuz-6.1.0-30-arm64" "kernel $S"
    put "slot-$s/initrd.img-6.1.0-30-arm64" "initrd $S"
    put "slot-$s/cmdline.txt" "console=ttyAMA0 root=PARTUUID=5761534d-$part rw rauc.slot=$S"$'\r\n'
done

echo "# no wasms-slot.txt: config.txt's own os_prefix (slot A)"
out=$(ab_firmware_pick "$disk" "$offset" "$work/run1")
expect "slot A picked" "slot=A prefix=slot-a/" "$out"
expect "its kernel" "kernel A" "$(cat "$work/run1/kernel")"
expect "its initrd" "initrd A" "$(cat "$work/run1/initrd")"
expect "its cmdline, one line without CR" "console=ttyAMA0 root=PARTUUID=5761534d-02 rw rauc.slot=A" "$(cat "$work/run1/cmdline.txt")"

echo "# wasms-slot.txt as rauc-boot writes it selects slot B; [tryboot] sections never apply"
boot=$work/fatdir; mkdir -p "$boot/slot-a" "$boot/slot-b"; touch "$boot/slot-a/.complete" "$boot/slot-b/.complete"
echo "console=tty0 rauc.slot=A" > "$work/cmdline"
WASMS_BOOT_DIR=$boot WASMS_CMDLINE=$work/cmdline WASMS_BOOT_LOCK=$work/rauc-boot.lock "$REPO/image/update/rauc-boot" set-primary B >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$disk@@$offset" "$boot/wasms-slot.txt" ::wasms-slot.txt
out=$(ab_firmware_pick "$disk" "$offset" "$work/run2")
expect "slot B picked" "slot=B prefix=slot-b/" "$out"
expect "B's kernel and cmdline" "kernel B|console=ttyAMA0 root=PARTUUID=5761534d-03 rw rauc.slot=B" "$(cat "$work/run2/kernel")|$(cat "$work/run2/cmdline.txt")"

echo "# back to A"
put wasms-slot.txt $'os_prefix=slot-a/\n'
expect "slot A picked" "slot=A prefix=slot-a/" "$(ab_firmware_pick "$disk" "$offset" "$work/run3")"

echo "# a selected slot without its kernel does not boot (as on a Pi)"
put wasms-slot.txt $'os_prefix=slot-c/\n'
out=$(ab_firmware_pick "$disk" "$offset" "$work/run4" 2>&1); rc=$?
expect "exit 1 and the missing file named" "1 no slot-c/vmlinuz-6.1.0-30-arm64 on the FAT partition" "$rc $out"

finish
