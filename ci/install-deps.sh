#!/bin/sh
# Install what mxlab needs on Debian 12, once: apt-get update only when a
# package is missing, then apt-get install -y of just the missing ones.
set -e
PKGS="build-essential pkg-config libssl-dev libpcre2-dev check libfaketime
faketime swaks clang-format clang libclang-rt-14-dev liblmdb-dev openssl
nginx-light libnginx-mod-mail dovecot-core exim4-daemon-heavy
libspf2-dev python3-dkim chromium opendkim opendkim-tools
python3-authres python3-yaml valgrind strace linux-perf"
# make lab and make test run this every time, so it must be quick: when
# this list was found installed and dpkg's status has not changed since
# (the stamp is newer), there is nothing to check.
STAMP=${BUILD:-build}/.deps-ok
if [ -f "$STAMP" ] && [ "$STAMP" -nt /var/lib/dpkg/status ] &&
    [ "$(cat "$STAMP")" = "$(echo $PKGS)" ] &&
    getent passwd mxlab >/dev/null && getent group mxlab >/dev/null; then
    exit 0
fi
# One dpkg-query for all.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
    awk '/ install ok installed$/ { print $1 }')
missing=""
for p in $PKGS; do
    echo "$installed" | grep -qx -- "$p" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
# The user that mxlab started by root runs as (its compiled-in exim_user
# and exim_group, docs/security.md): a system user and group "mxlab",
# without a login shell or a home directory. useradd and groupadd come
# with Debian's "passwd" package, which every Debian system has.
if ! getent group mxlab >/dev/null; then
    echo "mxlab: creating the system group mxlab"
    $SUDO groupadd --system mxlab
fi
if ! getent passwd mxlab >/dev/null; then
    echo "mxlab: creating the system user mxlab"
    $SUDO useradd --system --gid mxlab --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin \
        --comment "mxlab MTA" mxlab
fi
if [ -z "$missing" ]; then
    mkdir -p "$(dirname "$STAMP")" && echo $PKGS >"$STAMP"
    exit 0
fi
echo "mxlab: installing:$missing"
$SUDO apt-get update -qq
# The packages' services (nginx and Dovecot for the interop scenarios,
# Exim 4.96 for deliver/remote-interop-exim and dovecot/exim-interop) must
# not start system-wide: the scenarios start their own on loopback ports.
# Without a policy-rc.d of the machine's own, one that refuses every start
# is in place for the install only.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
mkdir -p "$(dirname "$STAMP")" && echo $PKGS >"$STAMP"
