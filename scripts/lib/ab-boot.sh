# The Pi firmware's slot choice, for the qemu harness (docs/updates.md, "The same files in qemu").
# shellcheck shell=bash
# Reads config.txt from the image's FAT partition the way start*.elf does for what decides the slot
# (os_prefix, include, kernel, initramfs), without mounting: mtools at a byte offset.
# Needs mtools. Sections other than [all] and the board filters apply alike: qemu is no particular
# board, and our config.txt only puts board-specific hardware settings under filters.

# ab_fat_read DISK OFFSET PATH: prints a file of the FAT partition at byte OFFSET of DISK; fails if absent.
ab_fat_read() {
    MTOOLS_SKIP_CHECK=1 mtype -i "$1@@$2" "::$3" 2>/dev/null
}

# ab_firmware_config DISK OFFSET: prints "os_prefix kernel initramfs" after config.txt and its includes.
ab_firmware_config() {
    local disk=$1 offset=$2 prefix="" kernel="" initramfs="" section=all line key value
    _ab_lines() {   # _ab_lines FILE DEPTH: config lines with includes inlined (the firmware allows nesting)
        local file=$1 depth=$2 l
        [ "$depth" -le 4 ] || return 0
        while IFS= read -r l || [ -n "$l" ]; do
            l=${l%$'\r'}
            case $l in
                include\ *) _ab_lines "${l#include }" $((depth + 1)) ;;
                *) printf '%s\n' "$l" ;;
            esac
        done < <(ab_fat_read "$disk" "$offset" "$file")
    }
    while IFS= read -r line; do
        line=${line%%#*}
        line=$(echo "$line" | tr -d '[:space:]' | sed 's/^initramfs/initramfs=/')
        [ -n "$line" ] || continue
        case $line in
            \[tryboot\]|\[none\]) section=skip; continue ;;
            \[*\]) section=all; continue ;;
        esac
        [ "$section" = all ] || continue
        key=${line%%=*} value=${line#*=}
        case $key in
            os_prefix) prefix=$value ;;
            kernel) kernel=$value ;;
            # "initramfs initrd.img-X followkernel": the name, without the load address keyword.
            initramfs) initramfs=${value%followkernel} ;;
        esac
    done < <(_ab_lines config.txt 0)
    echo "${prefix:-} ${kernel:-} ${initramfs:-}"
}

# ab_firmware_pick DISK OFFSET OUTDIR: copies the kernel, initrd and cmdline.txt the firmware would
# load into OUTDIR (kernel, initrd, cmdline.txt) and prints "slot=<rauc.slot> prefix=<os_prefix>".
# Exit 1 with one line when a file the firmware needs is missing (a Pi would not boot either).
ab_firmware_pick() {
    local disk=$1 offset=$2 out=$3 prefix kernel initramfs slot
    read -r prefix kernel initramfs < <(ab_firmware_config "$disk" "$offset")
    [ -n "$kernel" ] || { echo "config.txt names no kernel" >&2; return 1; }
    mkdir -p "$out"
    ab_fat_read "$disk" "$offset" "$prefix$kernel" > "$out/kernel" || { echo "no ${prefix}$kernel on the FAT partition" >&2; return 1; }
    if [ -n "$initramfs" ]; then
        ab_fat_read "$disk" "$offset" "$prefix$initramfs" > "$out/initrd" || { echo "no ${prefix}$initramfs on the FAT partition" >&2; return 1; }
    fi
    ab_fat_read "$disk" "$offset" "${prefix}cmdline.txt" | head -n1 | tr -d '\r' > "$out/cmdline.txt" \
        && [ -s "$out/cmdline.txt" ] || { echo "no ${prefix}cmdline.txt on the FAT partition" >&2; return 1; }
    slot=$(tr ' ' '\n' < "$out/cmdline.txt" | sed -n 's/^rauc\.slot=//p' | tail -n1)
    echo "slot=${slot:-none} prefix=${prefix:-/}"
}
