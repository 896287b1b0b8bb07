# Shared by scripts/build-image and scripts/test-image: the image recipe's stages.
# shellcheck shell=bash
# Needs: REPO (repository root), OUT (build output), and image/image.conf sourced.

IMAGE_HOST_PACKAGES=(mmdebstrap qemu-user-static binfmt-support qemu-system-arm arch-test
    dosfstools mtools e2fsprogs fdisk xz-utils zstd device-tree-compiler
    clang zlib1g-dev binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

# The package names of image/packages.txt (comments and blank lines dropped).
image_packages() {
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REPO/image/packages.txt" | grep -v '^$'
}

image_version() {
    sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$REPO/Directory.Build.props" | head -n1
}

# binfmt_misc must be mounted and qemu-aarch64 registered for mmdebstrap to run arm64 maintainer scripts.
image_ensure_binfmt() {
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
        update-binfmts --enable qemu-aarch64 || update-binfmts --import qemu-aarch64
    fi
    arch-test arm64
}

# Everything the base root filesystem depends on; a change rebuilds it (otherwise it is reused).
image_base_key() {
    {
        cat "$REPO/image/image.conf" "$REPO/image/packages.txt"
        cat "$REPO/image/board/"* "$REPO/image/initramfs/"*
        sed -n '/^image_build_base()/,/^}/p' "$REPO/scripts/lib/image.sh"
    } | sha256sum | cut -c1-16
}

# image_build_base DIR: Debian bookworm arm64 minbase with our packages and a small initramfs, into DIR.
image_build_base() {
    local dir=$1 cache=$OUT/cache/debs
    mkdir -p "$cache"
    local include; include=$(image_packages | paste -sd, -)
    # update-initramfs is diverted to /bin/true while packages install (the kernel and each firmware
    # package would each trigger a run, minutes each under emulation) and run once at the end with
    # MODULES=list. The board config goes in after the packages (raspi-firmware owns
    # /etc/default/raspi-firmware as a conffile; a file there beforehand would stop dpkg at a prompt).
    mmdebstrap --mode=root --architectures=arm64 --variant=minbase \
        --components="$COMPONENTS" --include="$include" \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --skip=download/empty --skip=essential/unlink \
        --setup-hook='mkdir -p "$1"/var/cache/apt/archives/ "$1"/boot/firmware "$1"/etc/default "$1"/etc/initramfs-tools/conf.d "$1"/usr/share/initramfs-tools/modules.d' \
        --setup-hook="cp $cache/*.deb \"\$1\"/var/cache/apt/archives/ 2>/dev/null || true" \
        --setup-hook="cp $REPO/image/initramfs/appliance.conf \"\$1\"/etc/initramfs-tools/conf.d/appliance.conf" \
        --setup-hook="cp $REPO/image/initramfs/modules \"\$1\"/usr/share/initramfs-tools/modules.d/appliance.conf" \
        --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && ln -sf /bin/true "$1"/usr/sbin/update-initramfs' \
        --customize-hook="cp -n \"\$1\"/var/cache/apt/archives/*.deb $cache/ 2>/dev/null || true" \
        --customize-hook="cp $REPO/image/board/raspi-firmware $REPO/image/board/raspi-firmware-custom \"\$1\"/etc/default/" \
        --customize-hook='rm "$1"/usr/sbin/update-initramfs && chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs' \
        --customize-hook='chroot "$1" update-initramfs -c -k all' \
        --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages "$1"/var/lib/apt/lists/*_Sources' \
        "$SUITE" "$dir" \
        "deb $MIRROR $SUITE main non-free-firmware" \
        "deb $MIRROR $SUITE-updates main non-free-firmware" \
        "deb $SECURITY_MIRROR $SUITE-security main non-free-firmware"
}

# image_check_initrd ROOTFS: every module named in image/initramfs/modules is in the initrd
# (initramfs-tools skips unknown names without a word).
image_check_initrd() {
    local rootfs=$1 initrd listing missing=0
    initrd=$(ls "$rootfs"/boot/initrd.img-* | head -n1)
    listing=$(chroot "$rootfs" lsinitramfs "/boot/$(basename "$initrd")")
    while read -r module; do
        if ! grep -qE "/${module//_/[-_]}\.ko" <<<"$listing"; then
            echo "initrd lacks module $module"; missing=1
        fi
    done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REPO/image/initramfs/modules" | grep -v '^$')
    ls -l "$initrd"
    return $missing
}

# image_customize ROOTFS APPDIR WITH_SERVICE: our files on top of the base root filesystem.
image_customize() {
    local root=$1 app=$2 with_service=$3
    cp -a "$REPO/overlays/rootfs/." "$root/"
    mkdir -p "$root/boot/firmware"
    cp -a "$REPO/overlays/boot/." "$root/boot/firmware/"
    # SPI0 for the panel on Debian's upstream device trees (image/board/raspi-firmware-custom).
    mkdir -p "$root/boot/firmware/overlays"
    dtc -q -I dts -O dtb -o "$root/boot/firmware/overlays/wasms-spi0.dtbo" "$REPO/image/board/wasms-spi0.dts"
    local dtb
    for dtb in "$root"/boot/firmware/bcm27*.dtb; do
        fdtoverlay -i "$dtb" -o /dev/null "$root/boot/firmware/overlays/wasms-spi0.dtbo" ||
            { echo "wasms-spi0.dtbo does not apply to $(basename "$dtb")"; return 1; }
    done
    grep -q '^dtoverlay=wasms-spi0' "$root/boot/firmware/config.txt" || { echo "config.txt lacks dtoverlay=wasms-spi0"; return 1; }

    # Debian has no gpio/spi groups (Raspberry Pi OS does); the udev rule in overlays uses them.
    local group
    for group in $SERVICE_GROUPS; do
        chroot "$root" getent group "$group" >/dev/null || chroot "$root" groupadd --system "$group"
    done
    chroot "$root" getent passwd "$SERVICE_USER" >/dev/null ||
        chroot "$root" useradd --system --user-group --no-create-home --home-dir /var/lib/wasms-gateway \
            --shell /usr/sbin/nologin --groups "${SERVICE_GROUPS// /,}" --comment "WaSMS Gateway" "$SERVICE_USER"
    # No passwords anywhere: every account stays locked ("*" or "!" in shadow).
    if awk -F: '$2 != "*" && $2 !~ /^!/ { found=1; print "account with a password: " $1 } END { exit !found }' "$root/etc/shadow"; then
        return 1
    fi

    chmod 0600 "$root/etc/wpa_supplicant/wpa_supplicant.conf"
    # Each gateway makes its own SSH host keys (ssh.service.d/wasms.conf) and machine id at first boot.
    rm -f "$root"/etc/ssh/ssh_host_*
    : > "$root/etc/machine-id"
    rm -f "$root/var/lib/dbus/machine-id"
    # The Pi has no RTC: fake-hwclock restores the last saved time at boot. Seed it with the build
    # time so certificates check out (TLS) on a first boot without network time.
    date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S' > "$root/etc/fake-hwclock.data"

    if [ "$with_service" -eq 1 ]; then
        install -d -m 0755 "$root/opt/wasms-gateway"
        install -m 0755 "$app/wasms-gateway" "$root/opt/wasms-gateway/wasms-gateway"
        # Native libraries the AOT binary loads (SQLite); not the .dbg/.pdb symbol files.
        find "$app" -maxdepth 1 -name '*.so' -exec install -m 0644 {} "$root/opt/wasms-gateway/" \;
        printf 'WaSMS Gateway %s (git %s)\nDocumentation: docs/image.md in the source repository.\n' \
            "$(image_version)" "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" > "$root/opt/wasms-gateway/README"
        chroot "$root" systemctl enable wasms-provision.service wasms-growroot.service wasms-gateway.service
    else
        # The baseline for docs/performance.md: the same system without our service.
        rm -f "$root/etc/systemd/system/wasms-gateway.service" "$root/etc/systemd/system/wasms-provision.service"
        chroot "$root" systemctl enable wasms-growroot.service
    fi
    image_install_update "$root"
    # Reproducible timestamps: nothing newer than the last commit.
    find "$root" -xdev -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# image_install_update ROOTFS: the A/B update machinery (docs/updates.md): RAUC's configuration and
# keyring, our boot backend and units, and the slot's own boot files in /usr/lib/wasms-update/boot
# (what a bundle's hook stages to slot-x/ on the FAT partition). Leaves on /boot/firmware only what
# both slots share: the firmware blobs, config.txt (which picks the slot) and wasms-gateway.txt.
image_install_update() {
    local root=$1 fw=$1/boot/firmware lib=$1/usr/lib/wasms-update keyring
    keyring=${WASMS_UPDATE_KEYRING:-$OUT/keys/ca.cert.pem}
    if [ -z "${WASMS_UPDATE_KEYRING:-}" ]; then
        # shellcheck source=scripts/lib/bundle.sh
        source "$REPO/scripts/lib/bundle.sh"
        bundle_dev_keys "$OUT/keys"
    fi
    [ -f "$keyring" ] || { echo "update keyring $keyring does not exist"; return 1; }
    install -d -m 0755 "$root/etc/rauc" "$lib" "$lib/boot"
    install -m 0644 "$REPO/image/update/system.conf" "$root/etc/rauc/system.conf"
    install -m 0644 "$keyring" "$root/etc/rauc/keyring.pem"
    install -m 0755 "$REPO/image/update/rauc-boot" "$REPO/image/update/wasms-mark-good" "$REPO/image/update/wasms-bundle-check" "$lib/"
    install -m 0644 "$REPO/image/update/wasms-rauc-dbus.conf" "$root/etc/dbus-1/system.d/wasms-rauc.conf"
    install -m 0644 "$REPO"/image/update/*.service "$REPO"/image/update/*.path "$root/etc/systemd/system/"
    chroot "$root" systemctl enable wasms-boot-attempt.service wasms-data.service wasms-update-reboot.path
    [ ! -x "$root/opt/wasms-gateway/wasms-gateway" ] || chroot "$root" systemctl enable wasms-mark-good.service
    printf '%s\n' "$(image_version)" > "$lib/version"

    # The slot's boot files under generic names: config.txt names them once for every slot and version.
    local kernel initrd
    kernel=$(ls "$fw"/vmlinuz-* | head -n1)
    initrd=$(ls "$fw"/initrd.img-* | head -n1)
    ln -f "$root/boot/$(basename "$kernel")" "$lib/boot/vmlinuz" 2>/dev/null || cp "$kernel" "$lib/boot/vmlinuz"
    ln -f "$root/boot/$(basename "$initrd")" "$lib/boot/initrd.img" 2>/dev/null || cp "$initrd" "$lib/boot/initrd.img"
    cmp -s "$kernel" "$lib/boot/vmlinuz" && cmp -s "$initrd" "$lib/boot/initrd.img" ||
        { echo "the kernel or initrd in /boot differs from /boot/firmware"; return 1; }
    cp "$fw"/*.dtb "$lib/boot/"
    cp -a "$fw/overlays" "$lib/boot/"
    # root= and rauc.slot= are set per slot by rauc-boot stage; panic=10 turns a kernel panic into a
    # reset, which on a trial boot returns to the previous slot.
    { tr ' ' '\n' < "$fw/cmdline.txt" | grep -v -e '^root=' -e '^rauc\.slot=' -e '^panic=' -e '^$' | tr '\n' ' '
      echo "panic=10 root=PARTUUID=$DISK_ID-02 rauc.slot=A"; } > "$lib/boot/cmdline.txt"
    rm -rf "$fw"/vmlinuz-* "$fw"/initrd.img-* "$fw"/*.dtb "$fw/overlays" "$fw/cmdline.txt"
    # config.txt: the generic names, slot A as the fallback, then the slot choice rauc-boot writes.
    sed -i -e '/^kernel=/d' -e '/^initramfs /d' -e '/^os_prefix=/d' -e '/^include wasms-slot.txt/d' "$fw/config.txt"
    cat >> "$fw/config.txt" <<CONFIG

[all]
# A/B slots (docs/updates.md, "Boot selection"): each slot's kernel, initramfs, device trees,
# overlays and cmdline.txt are in slot-a/ or slot-b/. Slot A unless wasms-slot.txt says otherwise.
kernel=vmlinuz
initramfs initrd.img followkernel
os_prefix=slot-a/
include wasms-slot.txt
CONFIG
}

# image_manifest ROOTFS: every installed package and version, plus what the image was built from.
image_manifest() {
    local root=$1
    printf '# wasms-gateway image %s, git %s, SOURCE_DATE_EPOCH=%s, kernel %s\n' "$(image_version)" \
        "$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)" "$SOURCE_DATE_EPOCH" "$(basename "$(ls -d "$root"/usr/lib/modules/* | head -n1)")"
    [ ! -x "$root/opt/wasms-gateway/wasms-gateway" ] ||
        printf '# /opt/wasms-gateway/wasms-gateway sha256 %s\n' "$(sha256sum < "$root/opt/wasms-gateway/wasms-gateway" | cut -d' ' -f1)"
    dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package}\t${Version}\t${Architecture}\n' | sort
}

# image_uuid SEED: a filesystem UUID (version-4 form) derived from SEED, the same in every build.
image_uuid() {
    printf '%s' "$1" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/'
}

# image_assemble ROOTFS IMAGE: the A/B disk (docs/updates.md, "Partition layout"): MBR with a FAT32
# boot partition (shared firmware, slot-a/), root slot A, root slot B (zeros), and the data partition,
# built from files alone (mkfs.vfat + mtools, mkfs.ext4 -d): no loop devices, no mounts.
image_assemble() {
    local root=$1 img=$2 dir; dir=$(dirname "$img")
    local boot=$dir/boot.vfat rootimg=$dir/root.ext4 dataimg=$dir/data.ext4 bootfs=$dir/bootfs datafs=$dir/datafs
    # Stable identifiers from the commit time, so two builds of one commit give the same image.
    local volid uuid data_uuid
    volid=$(printf '%08X' $(( SOURCE_DATE_EPOCH & 0xFFFFFFFF )))
    uuid=$(image_uuid "wasms-root-$SOURCE_DATE_EPOCH")
    data_uuid=$(image_uuid "wasms-data-$SOURCE_DATE_EPOCH")

    rm -rf "$bootfs" "$datafs" "$boot" "$rootimg" "$dataimg" "$img"
    mv "$root/boot/firmware" "$bootfs"
    mkdir "$root/boot/firmware"
    # Slot A's boot files, complete; the firmware boots slot A until an update says otherwise.
    cp -a "$root/usr/lib/wasms-update/boot" "$bootfs/slot-a"
    touch "$bootfs/slot-a/.complete"
    echo "os_prefix=slot-a/" > "$bootfs/wasms-slot.txt"
    printf 'PRIMARY=A\nA_STATE=good\nB_STATE=bad\nTRIAL=\nTRIES=\nFAILED=\n' > "$bootfs/wasms-boot.env"
    truncate -s "${BOOT_MB}M" "$boot"
    mkfs.vfat -F 32 -n "$BOOT_LABEL" -i "$volid" --invariant "$boot" >/dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -i "$boot" -s -p -m "$bootfs"/* ::/

    local used_mb
    used_mb=$(du -s -m --apparent-size "$root" | cut -f1)
    if [ $(( used_mb * 115 / 100 + ROOT_SLACK_MB )) -gt "$ROOT_SLOT_MB" ]; then
        echo "the root filesystem (${used_mb} MiB + 15 % + ${ROOT_SLACK_MB} MiB slack) does not fit a ${ROOT_SLOT_MB} MiB slot (ROOT_SLOT_MB in image/image.conf)"
        return 1
    fi
    truncate -s "${ROOT_SLOT_MB}M" "$rootimg"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L "$ROOT_LABEL" -U "$uuid" -m 1 \
        -E "root_owner=0:0,hash_seed=$uuid,lazy_itable_init=0" -d "$root" "$rootimg"

    # The data partition: the gateway's state directory (owned by the service user), RAUC's status,
    # and the saved settings (wasms-data). Grown to the card on first boot.
    local uid gid
    uid=$(chroot "$root" id -u "$SERVICE_USER") gid=$(chroot "$root" id -g "$SERVICE_USER")
    mkdir -p "$datafs/wasms-gateway" "$datafs/rauc" "$datafs/keep"
    chown "$uid:$gid" "$datafs/wasms-gateway" && chmod 0750 "$datafs/wasms-gateway"
    chmod 0700 "$datafs/keep" "$datafs/rauc"
    truncate -s "${DATA_MB}M" "$dataimg"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L "$DATA_LABEL" -U "$data_uuid" -m 1 \
        -E "root_owner=0:0,hash_seed=$data_uuid,lazy_itable_init=0" -d "$datafs" "$dataimg"

    local a=$(( PART_START_MB + BOOT_MB )) b=$(( PART_START_MB + BOOT_MB + ROOT_SLOT_MB ))
    local d=$(( PART_START_MB + BOOT_MB + 2 * ROOT_SLOT_MB ))
    truncate -s "$(( d + DATA_MB ))M" "$img"
    sfdisk --quiet "$img" <<SFDISK
label: dos
label-id: 0x$DISK_ID
start=$(( PART_START_MB * 2048 )), size=$(( BOOT_MB * 2048 )), type=c, bootable
start=$(( a * 2048 )), size=$(( ROOT_SLOT_MB * 2048 )), type=83
start=$(( b * 2048 )), size=$(( ROOT_SLOT_MB * 2048 )), type=83
start=$(( d * 2048 )), size=$(( DATA_MB * 2048 )), type=83
SFDISK
    dd if="$boot" of="$img" bs=1M seek="$PART_START_MB" conv=notrunc,sparse status=none
    dd if="$rootimg" of="$img" bs=1M seek="$a" conv=notrunc,sparse status=none
    dd if="$dataimg" of="$img" bs=1M seek="$d" conv=notrunc,sparse status=none
    rm -rf "$boot" "$rootimg" "$dataimg" "$datafs"
    rm -rf "$bootfs/slot-a" "$bootfs/wasms-slot.txt" "$bootfs/wasms-boot.env"
    mv "$bootfs"/* "$root/boot/firmware/" && rmdir "$bootfs"
    echo "boot ${BOOT_MB} MiB, slots A and B ${ROOT_SLOT_MB} MiB each (A holds ${used_mb} MiB), data ${DATA_MB} MiB"
}
