#!/bin/sh
# mkcerts.sh DIR: makes the test certificates for the TLS scenarios in DIR
# (created if missing), with the openssl command, so that no private key
# is ever committed. EC P-256 keys: quick to make.
#
#   ca.pem ca.key               the test CA ("mxlab test CA")
#   server.pem server.key       CN=mx.test.ex, names mx.test.ex, localhost,
#                               127.0.0.1; signed by the CA
#   client.pem client.key       CN=client.test.ex; signed by the CA
#   wrongname.pem wrongname.key CN=wrong.test.ex (no other name); by the CA
#   rogue.pem rogue.key         CN=rogue.test.ex, self-signed (trusted by
#                               nobody)
#   short.pem short.key         CN=mx.test.ex, by the CA, valid one day
#                               (advance the clock to see it expire)
#   server-full.pem             server.pem followed by its key
#
# The scenarios run under a fake clock; the certificates take its dates.
#
# Making a set costs about 15 openssl runs, so a set is made once per hour
# of the (fake) clock and copied from a cache: $MXLAB_CERT_CACHE, else
# $TMPDIR/mxlab-certs.UID, a directory only its owner may use.  A cached
# set is dated from the start of its hour (libfaketime's FAKETIME=@DATE,
# when the scenario runs under it), so it is never dated in the future of
# a scenario that copies it later in that hour.  MXLAB_CERT_CACHE=none
# makes a fresh set every time.
set -e
d=${1:?usage: mkcerts.sh DIR}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
mkdir -p "$d"
umask 077

# install SET: the certificates of directory SET into $d, given to whoever
# owns the directory $d was made in (see the end of this file).
install_set() {
    cp -p "$1"/* "$d"/
    chmod 644 "$d"/*.pem
    (cd "$d" && chown -R --reference=.. . 2>/dev/null) || true
}

cache=${MXLAB_CERT_CACHE:-${TMPDIR:-/tmp}/mxlab-certs.$(id -u)}
if [ "$cache" != none ] && [ -z "$MXLAB_CERTS_FRESH" ]; then
    mkdir -m 700 -p "$cache" 2>/dev/null || true
    if [ -O "$cache" ] && [ -d "$cache" ]; then
        now=$(date +%s)
        hour=$((now - now % 3600))
        set_dir="$cache/$(cksum < "$self" | cut -d' ' -f1)-$hour"
        if [ ! -f "$set_dir/server-full.pem" ]; then
            tmp=$(mktemp -d "$cache/new.XXXXXX")
            MXLAB_CERTS_FRESH=1 \
                FAKETIME="@$(date -u -d "@$hour" '+%Y-%m-%d %H:%M:%S')" \
                sh "$self" "$tmp"
            # Another scenario may have made the same set meanwhile.
            mv -T "$tmp" "$set_dir" 2>/dev/null || rm -rf "$tmp"
        fi
        install_set "$set_dir"
        exit 0
    fi
fi

cd "$d"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# name CN SAN DAYS: a certificate signed by the CA
signed() {
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/O=mxlab test/CN=$2" -out "$1.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' > "$1.ext"
    if [ -n "$3" ]; then printf 'subjectAltName=%s\n' "$3" >> "$1.ext"; fi
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$5" \
        -days "$4" -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

key ca.key
openssl req -new -x509 -key ca.key -subj "/O=mxlab test/CN=mxlab test CA" \
    -days 30 -sha256 -out ca.pem 2>/dev/null
signed server mx.test.ex "DNS:mx.test.ex,DNS:localhost,IP:127.0.0.1" 30 2
signed client client.test.ex "" 30 3
signed wrongname wrong.test.ex "DNS:wrong.test.ex" 30 4
signed short mx.test.ex "DNS:mx.test.ex,DNS:localhost,IP:127.0.0.1" 1 5
key rogue.key
openssl req -new -x509 -key rogue.key -subj "/O=rogue/CN=rogue.test.ex" \
    -days 30 -sha256 -out rogue.pem 2>/dev/null
cat server.pem server.key > server-full.pem
chmod 644 ./*.pem
# The keys are private (0600), so they go to whoever owns the directory
# the certificates were made in: the MTA's own user when the runner gave
# it the scenario's directory (--mta-user), as an MTA that drops root to
# that user (Exim, mxlab) reads its key as that user.
chown -R --reference=.. . 2>/dev/null || true
