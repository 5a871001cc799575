# Shell functions the benchmark scripts share (bench.sh, bench-deliver.sh).
# The caller sets MXLAB, EXIM498, EXIM496 (the binaries), LOAD (smtpload),
# PIDS (what bench_stop_all stops) and DIRS (what bench_cleanup removes).

# Shared by harness/soak/soak.sh too (bench_stop).

# bench_stop PID [TENTHS]: SIGTERM, then up to TENTHS tenths of a second
# (default 50), then SIGKILL.
bench_stop() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt "${2:-50}" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
bench_stop_all() {
    for p in $PIDS; do bench_stop "$p"; done
    PIDS=""
}
bench_cleanup() {
    bench_stop_all
    # the lab Exim's libfaketime files, when the caller marked the time
    # (FAKETIME_MARK, harness/faketime.sh)
    if [ -n "${FAKETIME_MARK:-}" ]; then
        faketime_sweep "$FAKETIME_MARK"
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $DIRS"
    else
        for d in $DIRS; do rm -rf "$d"; done
    fi
}

# bench_binary NAME / bench_user NAME: what runs an MTA, and the user its
# spool must belong to (the user it receives as; none for the sink).
bench_binary() {
    case $1 in
    mxlab) echo "$MXLAB" ;;
    exim498) echo "$EXIM498" ;;
    exim496) echo "${EXIM496:-/usr/sbin/exim4}" ;;
    esac
}
bench_user() {
    case $1 in
    mxlab)
        # mxlab started by root receives as its exim_user (docs/security.md)
        [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null && echo mxlab
        ;;
    exim498 | exim496) "$(bench_binary "$1")" -C /dev/null -bP exim_user 2>/dev/null |
        sed -n 's/^exim_user = //p' ;;
    esac
    return 0
}

# bench_wait_up PORT PIDFILE PID: until the pid file is written and a
# session gets through, at most 10 s.
bench_wait_up() {
    i=0
    while [ $i -lt 200 ]; do
        kill -0 "$3" 2>/dev/null || return 1
        if [ -s "$2" ] && "$LOAD" -p "$1" --probe 2>/dev/null; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# bench_median: numbers on stdin, one a line; FAILED if any run failed.
bench_median() {
    sort -n | awk '/FAILED/ { bad = 1 } { v[NR] = $1 }
        END { if (bad || NR == 0) print "FAILED";
              else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_ratios A B: the per-repetition ratios of the runs in files A and B.
bench_ratios() {
    paste "$1" "$2" | awk '{ if ($1 ~ /FAILED/ || $2 ~ /FAILED/ || $2 == 0)
        print "FAILED"; else printf "%.3f\n", $1 / $2 }'
}

# bench_rotate N WORDS...: the words, rotated left by N.
bench_rotate() {
    n=$1
    shift
    k=$((n % $#))
    while [ "$k" -gt 0 ]; do
        w=$1
        shift
        set -- "$@" "$w"
        k=$((k - 1))
    done
    echo "$@"
}

# bench_order N WORDS...: the MTAs of repetition N, mxlab between the
# two it is held up against most closely: any others first, then exim496,
# exim498, mxlab, sink (those of them in WORDS); backwards when N is odd.
bench_order() {
    n=$1
    shift
    o=""
    for w in "$@"; do
        case $w in exim496 | exim498 | mxlab | sink) ;; *) o="$o $w" ;; esac
    done
    for w in exim496 exim498 mxlab sink; do
        case " $* " in *" $w "*) o="$o $w" ;; esac
    done
    if [ $((n % 2)) -eq 1 ]; then
        r=""
        for w in $o; do r="$w $r"; done
        o=$r
    fi
    echo $o
}

# bench_columns TITLE: the table's header line: TITLE, one column per MTA
# in $MTAS, then mxlab's ratio to each of the others.
bench_columns() {
    printf '\n%-28s' "$1"
    for m in $MTAS; do printf ' %9s' "$m"; done
    for m in $MTAS; do [ "$m" = mxlab ] || printf ' %13s' "mxlab/$m"; done
    echo
}

# bench_row LABEL DIR: one line of the table from DIR/MTA.runs (a rate a
# line, one per repetition): each MTA's median, then the median of
# mxlab's per-repetition ratios to each of the others.
bench_row() {
    printf '%-28s' "$1"
    for m in $MTAS; do printf ' %9s' "$(bench_median <"$2/$m.runs")"; done
    for m in $MTAS; do
        [ "$m" = mxlab ] || printf ' %13s' "$(bench_ratios "$2/mxlab.runs" "$2/$m.runs" | bench_median)"
    done
    echo
}

# bench_disk_counts MAJOR MINOR: "WRITES FLUSHES", the write and flush
# requests the block device MAJOR:MINOR has completed (/proc/diskstats
# fields 8 and 19); nothing when it is not listed there (tmpfs).
bench_disk_counts() {
    awk -v ma="$1" -v mi="$2" '$1 == ma && $2 == mi && NF >= 20 { print $8, $19 }' \
        /proc/diskstats
}

# bench_io_row LABEL DIR: a line of the block-request table from
# DIR/MTA.io ("writes flushes" a message, one line per run): each MTA's
# medians as WRITES+FLUSHES.
bench_io_row() {
    printf '%-28s' "$1"
    for m in $MTAS; do
        if [ -s "$2/$m.io" ]; then
            w=$(cut -d' ' -f1 "$2/$m.io" | bench_median)
            f=$(cut -d' ' -f2 "$2/$m.io" | bench_median)
            printf ' %11s' "$w+$f"
        else
            printf ' %11s' -
        fi
    done
    echo
}
