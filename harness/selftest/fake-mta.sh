#!/bin/sh
# fake-mta.sh - a stand-in MTA for the scenario runner's self-test.
#
# It takes an MTA's command line (-C FILE first, as the runner passes
# it) and does just enough for the self-test scenarios, so that those
# test the runner and not mxlab:
#
#   -bV          print a version line, and "Support for: Selftest_Feature"
#                and "Authenticators: plaintext" for "requires KIND NAME"
#   -bs          a canned SMTP dialogue on stdin/stdout
#   -bd -oX PORT listen on 127.0.0.1 PORT (perl) and speak the same
#                dialogue; -bd puts itself in the background the way
#                Exim's daemon does, -bdf stays in the foreground;
#                with "v4_after_ms = N" in the configuration it listens
#                on [::1] PORT first and on 127.0.0.1 N ms later
#   -bexit N     exit with status N, saying so on stderr
#   -bargs ARGS  print each argument in brackets, then stdin
#
# Messages it "accepts" are logged to SPOOL/log/mainlog in Exim's shape,
# with message ids, pids and client ports that change from run to run,
# for the runner's normalisation to deal with.  SPOOL is the
# spool_directory of the -C file.
conf=/dev/null
if [ "$1" = -C ]; then conf=$2; shift 2; fi
spool=$(sed -n 's/^spool_directory *= *//p' "$conf")
[ -n "$spool" ] || spool=${DIR:-.}/spool

mainlog() {
    mkdir -p "$spool/log"
    printf '%s [%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$$" "$1" \
        >>"$spool/log/mainlog"
}

smtp_session() {
    printf '220 fake.test.ex ESMTP\r\n'
    while IFS= read -r line; do
        line=$(printf '%s' "$line" | tr -d '\r')
        case "$line" in
        EHLO*|ehlo*)
            printf '250-fake.test.ex Hello %s\r\n250-PIPELINING\r\n250 HELP\r\n' \
                "${line#* }" ;;
        HELO*|helo*) printf '250 fake.test.ex\r\n' ;;
        MAIL*) printf '250 OK\r\n' ;;
        RCPT*) printf '250 Accepted\r\n' ;;
        DATA)
            printf '354 Enter message, ending with "." on a line by itself\r\n'
            while IFS= read -r body; do
                [ "$(printf '%s' "$body" | tr -d '\r')" = . ] && break
            done
            id=$(printf '1%05d-%011d-%04d' "$(($(date +%s) % 100000))" "$$" \
                "$(($(od -An -N2 -tu2 /dev/urandom) % 10000))")
            mainlog "$id <= sender@test.ex P=smtp S=123"
            printf '250 OK id=%s\r\n' "$id" ;;
        QUIT|quit) printf '221 fake.test.ex closing connection\r\n'; exit 0 ;;
        *) printf '500 unrecognized command\r\n' ;;
        esac
    done
}

daemon() {
    exec perl -MIO::Socket::INET -MPOSIX=setsid -e '
        my ($port, $background, $self, $conf) = @ARGV;
        # "v4_after_ms = N" in the configuration: listen on [::1] first
        # and on 127.0.0.1 only N ms later, as a daemon on both
        # wildcards opens one family after the other.
        my ($delay, $s6) = (0, undef);
        if (open(my $f, "<", $conf)) {
            while (<$f>) { $delay = $1 if /^v4_after_ms\s*=\s*(\d+)/; }
        }
        if ($delay) {
            require IO::Socket::IP;
            $s6 = IO::Socket::IP->new(LocalHost => "::1",
                LocalPort => $port, Listen => 5, ReuseAddr => 1)
                or die "fake-mta: cannot listen on [::1]:$port: $!\n";
            select(undef, undef, undef, $delay / 1000);
        }
        my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
            LocalPort => $port, Listen => 5, ReuseAddr => 1)
            or die "fake-mta: cannot listen on $port: $!\n";
        if ($background) { exit 0 if fork; setsid(); }
        $SIG{CHLD} = "IGNORE";
        while (my $c = $s->accept) {
            next if fork;
            open(STDIN, "<&", $c); open(STDOUT, ">&", $c);
            $ENV{FAKE_MTA_CLIENT} = $c->peerhost . "]:" . $c->peerport;
            exec "/bin/sh", $self, "-C", $conf, "-bs-daemon";
        }' "$1" "$2" "$0" "$conf"
}

case "$1" in
-bV) printf '%s\n' "fake-mta 1.0 (runner self-test stand-in)" \
    "Support for: Selftest_Feature" "Authenticators: plaintext" ;;
-bs) smtp_session ;;
-bs-daemon)
    mainlog "SMTP connection from [$FAKE_MTA_CLIENT"
    smtp_session ;;
-bd|-bdf)
    [ "$2" = -oX ] || { echo "fake-mta: -bd wants -oX PORT" >&2; exit 64; }
    [ "$1" = -bd ] && bg=1 || bg=0
    daemon "$3" "$bg" ;;
-bexit) echo "fake-mta: exiting with $2 as asked" >&2; exit "$2" ;;
-bargs)
    shift
    for a in "$@"; do printf '[%s]\n' "$a"; done
    cat ;;
*) echo "fake-mta: unsupported arguments: $*" >&2; exit 64 ;;
esac
