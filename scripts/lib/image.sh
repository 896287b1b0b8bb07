# Shared by scripts/build-image and scripts/test-image: the image recipe's stages.
# shellcheck shell=bash
# Needs: REPO (repository root), OUT (build output), and image/image.conf sourced.

IMAGE_HOST_PACKAGES=(mmdebstrap qemu-user-static binfmt-support qemu-system-arm arch-test
    dosfstools mtools e2fsprogs fdisk xz-utils zstd
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
