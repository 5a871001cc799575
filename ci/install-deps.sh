#!/bin/sh
# Install what mxlab needs on Debian 12, once: apt-get update only when a
# package is missing, then apt-get install -y of just the missing ones.
set -e
PKGS="build-essential pkg-config libssl-dev libpcre2-dev check libfaketime
faketime swaks clang-format clang libclang-rt-14-dev liblmdb-dev openssl"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "mxlab: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
