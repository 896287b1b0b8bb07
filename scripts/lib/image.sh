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
    # Reproducible timestamps: nothing newer than the last commit.
    find "$root" -xdev -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
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

# image_assemble ROOTFS IMAGE: MBR disk with a FAT32 boot and an ext4 root partition, built from
# files alone (mkfs.vfat + mtools, mkfs.ext4 -d): no loop devices, no mounts.
image_assemble() {
    local root=$1 img=$2 dir; dir=$(dirname "$img")
    local boot=$dir/boot.vfat rootimg=$dir/root.ext4 bootfs=$dir/bootfs
    # Stable identifiers from the commit time, so two builds of one commit give the same image.
    local volid uuid
    volid=$(printf '%08X' $(( SOURCE_DATE_EPOCH & 0xFFFFFFFF )))
    uuid=$(printf '%s' "wasms-root-$SOURCE_DATE_EPOCH" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/')

    rm -rf "$bootfs" "$boot" "$rootimg" "$img"
    mv "$root/boot/firmware" "$bootfs"
    mkdir "$root/boot/firmware"
    truncate -s "${BOOT_MB}M" "$boot"
    mkfs.vfat -F 32 -n "$BOOT_LABEL" -i "$volid" --invariant "$boot" >/dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -i "$boot" -s -p -m "$bootfs"/* ::/

    local used_mb root_mb
    used_mb=$(du -s -m --apparent-size "$root" | cut -f1)
    root_mb=$(( used_mb * 115 / 100 + ROOT_SLACK_MB ))
    truncate -s "${root_mb}M" "$rootimg"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L "$ROOT_LABEL" -U "$uuid" -m 1 \
        -E "root_owner=0:0,hash_seed=$uuid,lazy_itable_init=0" -d "$root" "$rootimg"

    local total=$(( PART_START_MB + BOOT_MB + root_mb ))
    truncate -s "${total}M" "$img"
    sfdisk --quiet "$img" <<SFDISK
label: dos
label-id: 0x$volid
start=$(( PART_START_MB * 2048 )), size=$(( BOOT_MB * 2048 )), type=c, bootable
start=$(( (PART_START_MB + BOOT_MB) * 2048 )), type=83
SFDISK
    dd if="$boot" of="$img" bs=1M seek="$PART_START_MB" conv=notrunc,sparse status=none
    dd if="$rootimg" of="$img" bs=1M seek=$(( PART_START_MB + BOOT_MB )) conv=notrunc,sparse status=none
    rm -f "$boot" "$rootimg"
    mv "$bootfs"/* "$root/boot/firmware/" && rmdir "$bootfs"
    echo "boot ${BOOT_MB} MiB, root ${root_mb} MiB (content ${used_mb} MiB)"
}
