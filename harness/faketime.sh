# faketime.sh: libfaketime, which the lab Exim (ci/build-exim.sh) is linked
# with, makes a pair of files in /dev/shm for each program it starts in
# (faketime_shm_PID and sem.faketime_sem_PID) and removes them when that
# process ends with exit() as the user who made them. A process that gave
# up root first, or ended with _exit(), leaves them behind: the lab Exim
# started by root does both. scenario-run removes those of its own
# scenarios (harness/runner/fakeclock.c); scripts that start the lab
# Exim themselves (make bench, make conformance) source this file:
#
#   faketime_mark FILE    notes the time, as FILE's modification time (a
#                         second back: a file made within the same clock
#                         tick would not be newer)
#   faketime_ended FILE   lists the files of the pairs made or changed
#                         since then whose process no longer runs
#   faketime_sweep FILE   removes them
#
# A pair whose process still runs is kept, whoever made it.

faketime_mark() {
    : >"$1" && touch -d '-1 second' "$1"
}

faketime_ended() {
    [ -e "$1" ] || return 0
    find /dev/shm -maxdepth 1 -newer "$1" \
        \( -name 'faketime_shm_*' -o -name 'sem.faketime_sem_*' \) \
        2>/dev/null |
        while read -r f; do
            pid=${f##*_}
            case $pid in
            '' | *[!0-9]*) continue ;;
            esac
            [ -d "/proc/$pid" ] || echo "$f"
        done
}

faketime_sweep() {
    faketime_ended "$1" | while read -r f; do rm -f "$f"; done
}
