#!/usr/bin/env bash
# Tests scripts/build-bundle and image/update/wasms-bundle-check on the host (no qemu): a bundle built
# from a small root filesystem verifies against the keyring the image ships; a bundle signed by another
# key, a truncated bundle, a bundle with a changed payload block and one with a changed signature are
# refused with a clear reason; bad arguments get one line and a documented exit code.
# Needs rauc, squashfs-tools, e2fsprogs, cryptsetup-bin, openssl (build-bundle installs them as root).
# Exit 0 when all pass, 1 otherwise.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WASMS_OUT=$work/out SOURCE_DATE_EPOCH=1700000000
source "$REPO/scripts/lib/bundle.sh"
source "$REPO/scripts/tests/lib/checks.sh"
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }
# refused DESCRIPTION EXIT REASON-PART BUNDLE: wasms-bundle-check refuses BUNDLE with that exit code and reason.
refused() {
    local out rc
    out=$(RAUC_CONF=$work/system.conf "$REPO/image/update/wasms-bundle-check" "$4" 2>&1); rc=$?
    if [ "$rc" -eq "$2" ] && [[ $out == *"$3"* ]] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; then
        ok "$1 ($out)"
    else
        fail "$1" "exit $rc (expected $2)" "output: $out" "expected one line containing: $3"
    fi
}

# A tiny gateway root filesystem: what bundle_check_rootfs requires plus a file to find again.
rootfs=$work/rootfs
mkdir -p "$rootfs/usr/lib/wasms-update/boot" "$rootfs/etc/rauc" "$rootfs/opt/wasms-gateway"
cp "$REPO/image/update/rauc-boot" "$rootfs/usr/lib/wasms-update/"
cp "$REPO/image/update/system.conf" "$rootfs/etc/rauc/"
echo "console=tty0 root=PARTUUID=5761534d-02 rw rootwait" > "$rootfs/usr/lib/wasms-update/boot/cmdline.txt"
head -c 200000 /dev/urandom > "$rootfs/opt/wasms-gateway/wasms-gateway"   # incompressible: a payload of several blocks
# The slot names its version and trusts the CA that signs (the development one, made here first).
echo 2.0.0-test > "$rootfs/usr/lib/wasms-update/version"
bundle_dev_keys "$work/out/keys" >/dev/null
cp "$work/out/keys/ca.cert.pem" "$rootfs/etc/rauc/keyring.pem"

echo "# build with the development keys"
bundle=$work/out/wasms-gateway-2.0.0-test.raucb
if out=$("$REPO/scripts/build-bundle" --rootfs "$rootfs" --version 2.0.0-test 2>&1) && [ -f "$bundle" ]; then
    ok "build-bundle made out/wasms-gateway-2.0.0-test.raucb"
else
    fail "build-bundle failed" "$out"
fi
for key in ca.cert.pem ca.key.pem signing.cert.pem signing.key.pem; do
    [ -f "$work/out/keys/$key" ] || fail "development key out/keys/$key missing"
done
[ "$(stat -c %a "$work/out/keys/signing.key.pem")" = 600 ] && ok "signing key readable by its owner only" || fail "signing key mode $(stat -c %a "$work/out/keys/signing.key.pem")"
bundle_rauc_conf "$work/out/keys/ca.cert.pem" > "$work/system.conf"

echo "# rauc info --keyring verifies it as the gateway will"
info=$(rauc --conf="$work/system.conf" info --output-format=json "$bundle" 2>/dev/null)
for want in '"compatible":"wasms-gateway-rpi-arm64"' '"version":"2.0.0-test"' '"filename":"rootfs.ext4"' '"hooks":["post-install"]'; do
    [[ $info == *"$want"* ]] && ok "manifest has $want" || fail "manifest lacks $want" "$info"
done
out=$(rauc --keyring="$work/out/keys/ca.cert.pem" --conf="$work/system.conf" info "$bundle" 2>&1)
[[ $out == *"Bundle Format: "*verity* ]] && ok "verity format" || fail "not verity" "$out"
check=$(RAUC_CONF=$work/system.conf "$REPO/image/update/wasms-bundle-check" "$bundle" 2>&1)
[ "$check" = "ok 2.0.0-test" ] && ok "wasms-bundle-check: $check" || fail "wasms-bundle-check on a good bundle" "$check"

echo "# the payload is the root filesystem, with the slot hook"
mkdir "$work/extract"
if rauc --conf="$work/system.conf" extract "$bundle" "$work/extract/x" >/dev/null 2>&1 \
   && debugfs -R "cat /opt/wasms-gateway/wasms-gateway" "$work/extract/x/rootfs.ext4" 2>/dev/null | cmp -s - "$rootfs/opt/wasms-gateway/wasms-gateway"; then
    ok "rootfs.ext4 holds the root filesystem's files"
else
    fail "extracted rootfs.ext4 does not hold /opt/wasms-gateway/wasms-gateway"
fi
cmp -s "$work/extract/x/hook" "$REPO/image/update/bundle-hook" && ok "hook is image/update/bundle-hook" || fail "hook missing or different"

echo "# refused bundles"
other=$work/other-keys
bundle_dev_keys "$other" >/dev/null
cp -a "$rootfs" "$work/other-root"
cp "$other/ca.cert.pem" "$work/other-root/etc/rauc/keyring.pem"
"$REPO/scripts/build-bundle" --rootfs "$work/other-root" --version 2.0.0-test --out "$work/other.raucb" \
    --cert "$other/signing.cert.pem" --key "$other/signing.key.pem" --keyring "$other/ca.cert.pem" >/dev/null 2>&1 \
    || fail "could not build the bundle signed by another key"
refused "signed by another CA" 2 "signature verification failed" "$work/other.raucb"

size=$(stat -c %s "$bundle")
head -c $((size / 2)) "$bundle" > "$work/truncated.raucb"
refused "truncated to half" 2 "refused: " "$work/truncated.raucb"
head -c $((size - 1)) "$bundle" > "$work/short.raucb"
refused "one byte short" 2 "refused: " "$work/short.raucb"

cp "$bundle" "$work/payload.raucb"
printf 'X' | dd of="$work/payload.raucb" bs=1 seek=8192 conv=notrunc status=none
refused "one payload byte changed (rauc info alone would pass it)" 3 "payload does not match its signed hash" "$work/payload.raucb"
if rauc --conf="$work/system.conf" info "$work/payload.raucb" >/dev/null 2>&1; then
    ok "(rauc info indeed passes a changed payload: the signature covers only the root hash)"
else
    fail "rauc info refused a payload change; the payload check may no longer be needed"
fi

cp "$bundle" "$work/signature.raucb"
sig_size=$(tail -c 8 "$bundle" | od -An -tu8 --endian=big | tr -d ' ')
# A byte inside the CMS signature's signed content region (past its ASN.1 header).
printf 'X' | dd of="$work/signature.raucb" bs=1 seek=$((size - 8 - sig_size + 200)) conv=notrunc status=none
refused "one signature byte changed" 2 "refused: signature verification failed" "$work/signature.raucb"

echo "# bad input"
mkdir -p "$work/plain-root/etc"
expect_exit "a root filesystem without the update files" 65 "lacks /usr/lib/wasms-update/rauc-boot" \
    "$REPO/scripts/build-bundle" --rootfs "$work/plain-root" --version 1
expect_exit "unknown option" 64 "unknown option --frobnicate" "$REPO/scripts/build-bundle" --frobnicate x
expect_exit "--cert without --key" 64 "--cert and --key go together" "$REPO/scripts/build-bundle" --rootfs "$rootfs" --cert x
expect_exit "a version other than the slot's" 65 "says version '2.0.0-test' in /usr/lib/wasms-update/version, not '2.0.1'" \
    "$REPO/scripts/build-bundle" --rootfs "$rootfs" --version 2.0.1
expect_exit "a keyring other than the slot's" 65 "/etc/rauc/keyring.pem is not $other/ca.cert.pem" \
    "$REPO/scripts/build-bundle" --rootfs "$rootfs" --version 2.0.0-test --out "$work/x.raucb" \
    --cert "$other/signing.cert.pem" --key "$other/signing.key.pem" --keyring "$other/ca.cert.pem"
expect_exit "a version with a space" 64 "version '1 2'" "$REPO/scripts/build-bundle" --rootfs "$rootfs" --version "1 2"
expect_exit "check without a bundle" 64 "usage:" "$REPO/image/update/wasms-bundle-check"

finish
