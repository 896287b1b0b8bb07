# Shared by scripts/test-image and scripts/test-image-raspi3b: a throwaway copy of the built image
# with a test-only report unit in it (never in the shipped image).
# shellcheck shell=bash
# Needs: image/image.conf sourced.

# image_test_find IMAGE: IMAGE, or its .xz / .zst next to it; fails with a hint when none exists.
image_test_find() {
    local image=$1 candidate
    for candidate in "$image" "$image.xz" "$image.zst"; do
        [ -e "$candidate" ] && { echo "$candidate"; return 0; }
    done
    echo "no image at $image: run scripts/build-image first" >&2
    return 1
}

# image_test_copy IMAGE DISK: a sparse, uncompressed copy of IMAGE.
image_test_copy() {
    local image=$1 disk=$2
    case $image in
        *.xz) xz -dc -T0 "$image" | cp --sparse=always /dev/stdin "$disk" ;;
        *.zst) zstd -dcq "$image" | cp --sparse=always /dev/stdin "$disk" ;;
        *) cp --sparse=always "$image" "$disk" ;;
    esac
}

# image_test_edit_partition DISK OFFSET_MB SIZE_MB FILE COMMAND...: copies the partition at OFFSET_MB
# (SIZE_MB long) out of DISK into FILE, runs COMMAND FILE (debugfs edits: no loop device, no mount),
# writes FILE back in place and removes it. When COMMAND fails, DISK is left as it was.
image_test_edit_partition() {
    local disk=$1 offset=$2 size=$3 file=$4; shift 4
    dd if="$disk" of="$file" bs=1M skip="$offset" count="$size" conv=sparse status=none
    "$@" "$file" || { rm -f "$file"; return 1; }
    dd if="$file" of="$disk" bs=1M seek="$offset" conv=notrunc,sparse status=none
    rm -f "$file"
}

# image_test_add_report_unit DISK SCRIPT WORKDIR: installs SCRIPT as a oneshot unit that runs after
# multi-user.target, written into the ext4 root partition (slot A).
image_test_add_report_unit() {
    local disk=$1 script=$2 work=$3 sectors
    cat > "$work/report.service" <<'EOF'
[Unit]
Description=image test report (test only)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh /usr/local/sbin/wasms-test-report
[Install]
WantedBy=multi-user.target
EOF
    sectors=$(sfdisk --json "$disk" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitiontable"]["partitions"][1]; print(p["size"])')
    image_test_edit_partition "$disk" $(( PART_START_MB + BOOT_MB )) $(( sectors / 2048 )) "$work/root.ext4" _image_test_write_report_unit "$script" "$work"
}

# _image_test_write_report_unit SCRIPT WORKDIR EXT4: SCRIPT and WORKDIR's report.service into EXT4.
_image_test_write_report_unit() {
    local script=$1 work=$2 ext4=$3
    debugfs -w "$ext4" >/dev/null <<EOF
write $script /usr/local/sbin/wasms-test-report
write $work/report.service /etc/systemd/system/wasms-test-report.service
symlink /etc/systemd/system/multi-user.target.wants/wasms-test-report.service /etc/systemd/system/wasms-test-report.service
EOF
    debugfs -R "stat /etc/systemd/system/wasms-test-report.service" "$ext4" 2>/dev/null | grep -q "Size: " ||
        { echo "debugfs did not write the report unit"; return 1; }
}
