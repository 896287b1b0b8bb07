# Shared by scripts/*: timed, named steps and package installation.
# shellcheck shell=bash

STEPS_STARTED=$(date +%s)

# step NAME COMMAND...: runs COMMAND, printing how long it took and the total so far.
step() {
    local name=$1; shift
    local started; started=$(date +%s)
    printf '\n==> %s\n' "$name"
    if "$@"; then
        printf '<== %s: %ss (total %ss)\n' "$name" $(( $(date +%s) - started )) $(( $(date +%s) - STEPS_STARTED ))
    else
        local rc=$?
        printf '<== %s FAILED (exit %s) after %ss\n' "$name" "$rc" $(( $(date +%s) - started ))
        return "$rc"
    fi
}

# as_root COMMAND...: runs COMMAND as root (directly when we are root, else through sudo).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE...: installs the Debian packages that are missing; refreshes the index once.
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q || true
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}
