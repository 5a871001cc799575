#!/bin/sh
# Install what mxlab needs on Debian 12, once: apt-get update only when a
# package is missing, then apt-get install -y of just the missing ones.
set -e
PKGS="build-essential pkg-config libssl-dev libpcre2-dev check libfaketime
faketime swaks clang-format clang libclang-rt-14-dev liblmdb-dev openssl
nginx-light libnginx-mod-mail dovecot-core exim4-daemon-heavy
libspf2-dev python3-dkim strace linux-perf"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
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
[ -z "$missing" ] && exit 0
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
