#!/bin/sh
# Install Debian's Exim 4.96 (exim4-daemon-heavy) for make bench, if it is
# not there yet, without letting the package start its own daemon on
# port 25: a policy-rc.d that says "no" (exit 101) is put in place for the
# install unless one already exists, and removed afterwards.  Should a
# daemon appear anyway, the one started by this install (and only that
# one) is stopped again.
set -eu
EXIM=/usr/sbin/exim4
[ -x "$EXIM" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
POLICY=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# make bench: no service starts during the install\nexit 101\n' |
        $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    made_policy=yes
fi
cleanup() { [ "$made_policy" = yes ] && $SUDO rm -f "$POLICY"; return 0; }
trap cleanup EXIT

before=$(pgrep -x exim4 2>/dev/null | sort || true)
echo "bench: installing exim4-daemon-heavy"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends exim4-daemon-heavy
after=$(pgrep -x exim4 2>/dev/null | sort || true)
for pid in $after; do
    case " $(echo $before) " in
    *" $pid "*) ;;
    *)
        echo "bench: stopping the exim4 daemon the install started (pid $pid)"
        $SUDO kill "$pid" 2>/dev/null || true
        ;;
    esac
done
[ -x "$EXIM" ]
