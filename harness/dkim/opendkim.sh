#!/bin/sh
# opendkim.sh: OpenDKIM (Debian's opendkim, its filter run in test mode
# with -t, no milter connection and no DNS) signs or verifies a message
# file, for the opendkim-* scenarios.
#
#   opendkim.sh sign KEY.pem SELECTOR CANON ALGO < MESSAGE > SIGNED
#       signs for d=test.ex with the private key (RSA or Ed25519, PEM),
#       CANON relaxed/simple etc., ALGO rsa-sha256 or ed25519-sha256;
#       writes the DKIM-Signature field OpenDKIM made, then the message.
#   opendkim.sh verify MESSAGE ZONE
#       verifies every signature of MESSAGE with the keys of the TXT
#       records of ZONE (a fake-dns zone file); prints OpenDKIM's
#       Authentication-Results dkim= entries (header.b= left out), one
#       a line, and its verdict line, "opendkim: verification (...)
#       succeeded" or "... failed: REASON". Lines before the first
#       header field of MESSAGE (a fake-smtp envelope) are skipped.
#
# OpenDKIM refuses a key file in a directory other users may write
# (/tmp); RequireSafeKeys no lets it read the copy made here.
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opendkim.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

case ${1:-} in
sign)
    key=$2 sel=$3 canon=$4 algo=$5
    cp "$key" "$tmp/key.pem"
    chmod 600 "$tmp/key.pem"
    cat > "$tmp/msg"
    cat > "$tmp/conf" <<END
Mode                s
Syslog              no
Domain              test.ex
Selector            $sel
KeyFile             $tmp/key.pem
RequireSafeKeys     no
Canonicalization    $canon
SignatureAlgorithm  $algo
END
    # Test mode prints "opendkim: FILE:" and then the new field, folded
    # with CRLF TAB; the message file has LF line ends.
    opendkim -x "$tmp/conf" -t "$tmp/msg" > "$tmp/out" 2>&1 || {
        cat "$tmp/out" >&2
        exit 1
    }
    grep -q '^DKIM-Signature:' "$tmp/out" || {
        echo "opendkim.sh: OpenDKIM made no signature:" >&2
        cat "$tmp/out" >&2
        exit 1
    }
    sed -n '/^DKIM-Signature:/,$p' "$tmp/out" | tr -d '\r'
    cat "$tmp/msg"
    ;;
verify)
    msg=$2 zone=$3
    # "NAME TXT "s1" "s2"" -> "NAME s1s2", the TestPublicKeys format
    sed -n 's/^[[:space:]]*\([^[:space:]]*\)[[:space:]][[:space:]0-9]*TXT[[:space:]]*\(.*\)$/\1 \2/p' "$zone" |
        sed 's/" *"//g; s/"//g' > "$tmp/keys"
    tr -d '\r' < "$msg" | awk 'h || /^[!-9;-~]+:/ { h = 1; print }' > "$tmp/msg"
    cat > "$tmp/conf" <<END
Mode                v
Syslog              no
TestPublicKeys      $tmp/keys
AlwaysAddARHeader   yes
AuthservID          mx.test.ex
END
    opendkim -x "$tmp/conf" -vv -t "$tmp/msg" > "$tmp/out" 2>&1 || {
        cat "$tmp/out" >&2
        exit 1
    }
    grep -o 'dkim=[a-z]*.* header\.s=[^ ;]*' "$tmp/out" | sed 's/^/opendkim: /' || true
    grep 'verification (' "$tmp/out" | sed 's,^opendkim: [^:]*: ,opendkim: ,'
    ;;
*)
    echo "usage: opendkim.sh sign KEY SELECTOR CANON ALGO | verify MESSAGE ZONE" >&2
    exit 2
    ;;
esac
