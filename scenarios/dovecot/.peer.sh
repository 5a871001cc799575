#!/bin/sh
# Starts or stops the Dovecot auth service a scenario under
# scenarios/dovecot/peer/ talks to: fake-dovecot-auth, or a real Dovecot
# when MXLAB_DOVECOT=real (ci/dovecot-real.sh runs them that way). Both
# listen on the same sockets with the same users, so one scenario and one
# set of golden files serve both:
#
#   unix socket  $DIR/auth-client
#   TCP          127.0.0.1 $PORT2
#   users        alice / s3cret, bob / pw
#
#   sh $SRCDIR/scenarios/dovecot/.peer.sh start [secure]
#   sh $SRCDIR/scenarios/dovecot/.peer.sh stop
#
# "secure" makes the service refuse every login on a connection the MTA
# does not call secured: the fake with its require-secured directive,
# the real Dovecot with a passwd-file chosen by %{secured} (Dovecot's
# disable_plaintext_auth is enforced by its login processes, not by the
# auth service an MTA talks to).
# The real Dovecot runs in the foreground (dovecot -F) with everything
# under $DIR/dovecot; it is stopped by its pid.
set -e
mode=${MXLAB_DOVECOT:-fake}
d=$DIR/dovecot
case "$1" in
start)
    mkdir -p "$d/run" "$d/state"
    secure=no
    [ "$2" = secure ] && secure=yes
    if [ "$mode" = real ]; then
        users='alice:{PLAIN}s3cret\nbob:{PLAIN}pw\n'
        printf "$users" >"$d/passwdsecured"
        if [ $secure = yes ]; then : >"$d/passwd"; else printf "$users" >"$d/passwd"; fi
        cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols =
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = root
default_internal_group = root
default_login_user = root
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/passwd%{secured}
}
userdb {
  driver = static
  args = uid=0 gid=0 home=$d
}
service auth {
  inet_listener auth-inet {
    address = 127.0.0.1
    port = $PORT2
  }
  unix_listener $DIR/auth-client {
    mode = 0666
  }
}
CONF
        dovecot -F -c "$d/dovecot.conf" </dev/null >"$d/dovecot.out" 2>&1 &
    else
        printf 'user alice s3cret\nuser bob pw\n' >"$d/fake.script"
        [ $secure = yes ] && echo require-secured >>"$d/fake.script"
        "$BUILD/fakes/fake-dovecot-auth" --unix "$DIR/auth-client" \
            --port "$PORT2" --script "$d/fake.script" \
            --transcript "$d/fake.transcript" --timeout 10 \
            </dev/null >"$d/fake.out" 2>&1 &
    fi
    echo $! >"$d/peer.pid"
    i=0
    while [ ! -S "$DIR/auth-client" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "$mode dovecot did not start" >&2
            cat "$d"/*.out "$d"/*.log >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.1
    done
    ;;
stop)
    pid=$(cat "$d/peer.pid")
    kill "$pid" 2>/dev/null || true
    i=0
    # The peer was started by an earlier step's shell, so the runner reaps
    # it: gone means a zombie ("Z" in /proc/PID/stat) as well as no entry.
    while [ $i -lt 50 ] &&
        st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) &&
        [ "${st%% *}" != Z ]; do
        i=$((i + 1))
        sleep 0.1
    done
    ;;
esac
