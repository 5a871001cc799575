#!/bin/sh
# The Dovecot interop test: runs the scenarios of scenarios/dovecot/peer/
# a second time, now against a real Dovecot (Debian's dovecot-core) instead
# of fake-dovecot-auth, with the same golden files. Each scenario starts
# "dovecot -F" with a generated configuration under its own directory and
# stops it by pid (scenarios/dovecot/.peer.sh).
#
#   sh ci/dovecot-real.sh BUILD [JOBS]
set -u
BUILD=${1:-build}
JOBS=${2:-2}
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
    echo "dovecot-real: dovecot is not installed (make deps installs dovecot-core)" >&2
    exit 1
fi
PATH=$PATH:/usr/sbin
export PATH
MXLAB_DOVECOT=real "$BUILD/scenario-run" -j "$JOBS" --mta "$BUILD/mxlab" \
    scenarios/dovecot/peer
