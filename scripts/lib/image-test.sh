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

# image_test_add_report_unit DISK SCRIPT WORKDIR: installs SCRIPT as a oneshot unit that runs after
# multi-user.target, written into the ext4 root partition (extracted, edited with debugfs, put back).
image_test_add_report_unit() {
    local disk=$1 script=$2 work=$3
    local root_offset_mb=$(( PART_START_MB + BOOT_MB )) part=$work/root.ext4 size
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
    size=$(sfdisk --json "$disk" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitiontable"]["partitions"][1]; print(p["size"])')
    dd if="$disk" of="$part" bs=1M skip="$root_offset_mb" count=$(( size / 2048 )) conv=sparse status=none
    debugfs -w "$part" >/dev/null <<EOF
write $script /usr/local/sbin/wasms-test-report
write $work/report.service /etc/systemd/system/wasms-test-report.service
symlink /etc/systemd/system/multi-user.target.wants/wasms-test-report.service /etc/systemd/system/wasms-test-report.service
EOF
    debugfs -R "stat /etc/systemd/system/wasms-test-report.service" "$part" 2>/dev/null | grep -q "Size: " ||
        { echo "debugfs did not write the report unit"; return 1; }
    dd if="$part" of="$disk" bs=1M seek="$root_offset_mb" conv=notrunc,sparse status=none
    rm -f "$part"
}
