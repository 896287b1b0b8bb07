# Shared by scripts/build-bundle and its test: keys, slot image and manifest of an update bundle.
# shellcheck shell=bash

# RAUC's compatible string; image/update/system.conf says the same.
BUNDLE_COMPATIBLE=wasms-gateway-rpi-arm64

# bundle_dev_keys DIR: a development CA and a code-signing certificate it issued, made once.
# Never committed (out/ is ignored); a release uses its own keys (docs/updates.md, "Keys").
bundle_dev_keys() {
    local dir=$1
    [ -f "$dir/signing.cert.pem" ] && [ -f "$dir/ca.cert.pem" ] && return 0
    mkdir -p "$dir" && chmod 700 "$dir"
    (
        cd "$dir"
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
            -keyout ca.key.pem -out ca.cert.pem -subj "/O=WaSMS development/CN=WaSMS update CA (development)" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout signing.key.pem -out signing.csr.pem -subj "/O=WaSMS development/CN=WaSMS update signing (development)" 2>/dev/null
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,codeSigning\n' > signing.ext
        openssl x509 -req -in signing.csr.pem -CA ca.cert.pem -CAkey ca.key.pem -CAcreateserial -days 1825 \
            -extfile signing.ext -out signing.cert.pem 2>/dev/null
        rm -f signing.csr.pem signing.ext ca.cert.srl
        chmod 644 ca.cert.pem signing.cert.pem
    )
    echo "development update keys made in $dir (the image's keyring is $dir/ca.cert.pem)"
}

# bundle_check_rootfs DIR: a gateway slot carries the backend and its boot files, or the bundle could
# not be installed (the hook stages /usr/lib/wasms-update/boot to the FAT partition).
bundle_check_rootfs() {
    local dir=$1
    [ -d "$dir" ] || { echo "build-bundle: root filesystem $dir does not exist (run scripts/build-image first, or pass --rootfs)" >&2; return 1; }
    local need
    for need in usr/lib/wasms-update/rauc-boot usr/lib/wasms-update/boot/cmdline.txt etc/rauc/system.conf; do
        [ -e "$dir/$need" ] || { echo "build-bundle: $dir lacks /$need: not an A/B gateway root filesystem (docs/updates.md)" >&2; return 1; }
    done
}

# bundle_rootfs_file ROOTFS-DIR ROOTFS-IMAGE PATH: the content of PATH in the root filesystem given as
# a directory or as an ext4 image (one of the two is empty); nothing when it is absent.
bundle_rootfs_file() {
    if [ -n "$1" ]; then
        cat "$1$3" 2>/dev/null || true
    else
        debugfs -R "cat $3" "$2" 2>/dev/null || true
    fi
}

# bundle_check_identity ROOTFS-DIR ROOTFS-IMAGE VERSION KEYRING: the slot says it is VERSION (the gateway
# reports its version from /usr/lib/wasms-update/version and judges an update by it, docs/updates.md §6)
# and trusts KEYRING (a slot that cannot verify the next bundle strands the board).
bundle_check_identity() {
    local slot_version
    slot_version=$(bundle_rootfs_file "$1" "$2" /usr/lib/wasms-update/version | head -n1)
    [ "$slot_version" = "$3" ] || {
        echo "build-bundle: the root filesystem says version '${slot_version:-none}' in /usr/lib/wasms-update/version, not '$3'" >&2; return 1; }
    bundle_rootfs_file "$1" "$2" /etc/rauc/keyring.pem | cmp -s - "$4" || {
        echo "build-bundle: the root filesystem's /etc/rauc/keyring.pem is not $4: the new slot could not verify the next update" >&2; return 1; }
}

# bundle_ext4_from_dir DIR FILE: an ext4 image of DIR sized to its content plus 15 % (RAUC copies it
# whole onto the slot partition, which must be at least this large). Times from SOURCE_DATE_EPOCH.
bundle_ext4_from_dir() {
    local dir=$1 file=$2 kib
    kib=$(du -sk --apparent-size "$dir" | cut -f1)
    kib=$(( kib + kib * 15 / 100 + 8192 ))
    rm -f "$file"
    E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-$(date +%s)} \
        mkfs.ext4 -q -F -L WASMS_ROOT -d "$dir" -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 \
        -U clear "$file" "${kib}k"
    ls -ls "$file"
}

# bundle_manifest VERSION BUILD: manifest.raucm of a verity bundle with our slot hook.
bundle_manifest() {
    cat <<MANIFEST
[update]
compatible=$BUNDLE_COMPATIBLE
version=$1
build=$2
description=WaSMS Gateway $1

[bundle]
format=verity

[hooks]
filename=hook

[image.rootfs]
filename=rootfs.ext4
hooks=post-install
MANIFEST
}

# bundle_rauc_conf KEYRING: image/update/system.conf with its keyring path replaced, for host use.
bundle_rauc_conf() {
    sed "s#^path=/etc/rauc/keyring.pem\$#path=$1#" "$REPO/image/update/system.conf"
}
