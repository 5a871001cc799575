#!/bin/sh
# Builds mxlab with experimental features left out (make
# EXPERIMENTAL_<NAME>=no) and checks that -bV no longer lists them, that
# their options have become unknown options, and that a DSN_INFO=no
# build's bounces are the DSN_INFO build's ones (the golden files of
# scenarios/dsn-info) without exactly the DSN_INFO lines. Prints
# "feature-off: N passed, N failed".
set -u
OUT=${BUILD_OFF:-build-featoff}
CHECK_NAME=feature-off
. harness/checklib.sh

make -s BUILD="$OUT" EXPERIMENTAL_ARC=no EXPERIMENTAL_DCC=no EXPERIMENTAL_XCLIENT=no \
    EXPERIMENTAL_QUEUEFILE=no EXPERIMENTAL_ESMTP_LIMITS=no \
    EXPERIMENTAL_DSN_INFO=no EXPERIMENTAL_BMI=no "$OUT/mxlab" \
    "$OUT/scenario-run" "$OUT/fakes/fake-smtp" "$OUT/fakes/fake-dns" \
    >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'primary_hostname = mx.test.ex\n' > "$tmp/ok.conf"
printf 'dccifd_address = /run/dccifd\n' > "$tmp/dcc.conf"
printf 'begin transports\nscan:\n  driver = queuefile\n' > "$tmp/qf.conf"

"$OUT/mxlab" -C "$tmp/ok.conf" -bV > "$tmp/bv" 2>&1
check "-bV still works" grep -q '^Support for:' "$tmp/bv"
check "-bV omits Experimental_ARC" sh -c "! grep -q Experimental_ARC '$tmp/bv'"
printf 'acl_smtp_data = data\nbegin acl\ndata:\n  accept verify = arc\n' > "$tmp/arc.conf"
printf 'QUIT\r\n' | "$OUT/mxlab" -C "$tmp/arc.conf" -bs > "$tmp/arc.out" 2>&1
printf 'begin transports\nremote_smtp:\n  driver = smtp\n  arc_sign = example.org : sel1 : /etc/mxlab/arc.key\n' > "$tmp/arcsign.conf"
"$OUT/mxlab" -C "$tmp/arcsign.conf" -bV > "$tmp/arcsign.out" 2>&1
check "arc_sign is unknown without ARC" grep -q 'arc_sign' "$tmp/arcsign.out"
check "verify = arc is unknown without ARC" grep -q 'ACL condition "verify arc"' "$tmp/arc.out"
check "-bV omits Experimental_DCC" sh -c "! grep -q Experimental_DCC '$tmp/bv'"
check "-bV omits Experimental_XCLIENT" sh -c "! grep -q Experimental_XCLIENT '$tmp/bv'"
check "-bV omits Experimental_QUEUEFILE" sh -c "! grep -q Experimental_QUEUEFILE '$tmp/bv'"
check "-bV omits Experimental_DSN_info" sh -c "! grep -q Experimental_DSN_info '$tmp/bv'"
check "-bV omits Experimental_Brightmail" sh -c "! grep -q Experimental_Brightmail '$tmp/bv'"
printf 'bmi_config_file = /x\n' > "$tmp/bmi1.conf"
"$OUT/mxlab" -C "$tmp/bmi1.conf" -bV > "$tmp/bmi1.out" 2>&1
check "bmi_config_file is unknown without BMI" \
    grep -q 'bmi1.conf:1: main option "bmi_config_file" unknown' "$tmp/bmi1.out"
printf 'begin routers\nr:\n  driver = redirect\n  bmi_dont_deliver\n  data = :blackhole:\n' > "$tmp/bmi2.conf"
"$OUT/mxlab" -C "$tmp/bmi2.conf" -bV > "$tmp/bmi2.out" 2>&1
check "bmi_dont_deliver is unknown without BMI" grep -q 'bmi_dont_deliver' "$tmp/bmi2.out"
printf 'acl_smtp_rcpt = r\nbegin acl\nr:\n  accept control = bmi_run\n' > "$tmp/bmi3.conf"
"$OUT/mxlab" -C "$tmp/bmi3.conf" -bV > "$tmp/bmi3.out" 2>&1
check "control = bmi_run is unknown without BMI" grep -q 'bmi_run' "$tmp/bmi3.out"
check "no libbmiclient_single.so without BMI" test ! -e "$OUT/lib/libbmiclient_single.so"
check "-bV omits the queuefile transport" sh -c "! grep -q 'Transports:.*queuefile' '$tmp/bv'"
"$OUT/mxlab" -C "$tmp/dcc.conf" -bV > "$tmp/dcc.out" 2>&1
check "dccifd_address is unknown without DCC" \
    grep -q 'dcc.conf:1: main option "dccifd_address" unknown' "$tmp/dcc.out"
printf 'acl_smtp_data = data\nbegin acl\ndata:\n  defer !dcc = *\n' > "$tmp/dccacl.conf"
printf 'QUIT\r\n' | "$OUT/mxlab" -C "$tmp/dccacl.conf" -bs > "$tmp/dccacl.out" 2>&1
check "the dcc ACL condition is unknown without DCC" \
    grep -q 'unknown ACL condition/modifier in "defer !dcc = \*"' "$tmp/dccacl.out"
"$OUT/mxlab" -C "$tmp/qf.conf" -bV > "$tmp/qf.out" 2>&1
check "queuefile driver is unknown without QUEUEFILE" \
    grep -q 'unknown driver "queuefile"' "$tmp/qf.out"
"$OUT/mxlab" -C "$tmp/ok.conf" -bP hosts_xclient > "$tmp/xc.out" 2>&1
check "hosts_xclient is unknown to -bP without XCLIENT" \
    grep -q '"hosts_xclient" is not a main option' "$tmp/xc.out"
check "-bV omits ESMTP_Limits" sh -c "! grep -q ESMTP_Limits '$tmp/bv'"
printf 'primary_hostname = mx.test.ex\nhosts_xclient = *\n' > "$tmp/xc.conf"
"$OUT/mxlab" -C "$tmp/xc.conf" -bV > "$tmp/xc2.out" 2>&1
check "hosts_xclient is unknown without XCLIENT" \
    grep -q 'xc.conf:2: main option "hosts_xclient" unknown' "$tmp/xc2.out"
printf 'EHLO client.test.ex\r\nXCLIENT ADDR=192.0.2.1 PORT=1\r\nQUIT\r\n' |
    "$OUT/mxlab" -C "$tmp/ok.conf" -bh 192.0.2.9 > "$tmp/bh.out" 2>&1
check "EHLO has no LIMITS without ESMTP_LIMITS" \
    sh -c "grep -q '^250-SIZE' '$tmp/bh.out' && ! grep -q 'LIMITS' '$tmp/bh.out'"
check "EHLO has no XCLIENT without XCLIENT" sh -c "! grep -q 'XCLIENT ADDR' '$tmp/bh.out'"
check "XCLIENT is an unknown command without XCLIENT" \
    grep -q '^500 unrecognized command' "$tmp/bh.out"

# The bounce of a DSN_INFO=no build: the DSN_INFO build's golden bounce
# without the X-ip, greeting, helo-response and X-Exim-Diagnostic fields
# (and their folded continuation lines), nothing else.
strip_dsn_info() {
    awk '/^(Remote-MTA: X-ip;|X-Remote-MTA-smtp-greeting:|X-Remote-MTA-helo-response:|X-Exim-Diagnostic:)/ { drop = 1; next }
         drop && /^ / { next }
         { drop = 0; print }' "$1"
}
for s in greeting-5xx ehlo-helo-rejected rcpt-long-multiline two-recipients \
    routing-fail-no-host; do
    mkdir -p "$tmp/scenarios/dsn-info"
    cp "scenarios/dsn-info/$s" "$tmp/scenarios/dsn-info/$s"
    "$OUT/scenario-run" --update --mta "$OUT/mxlab" \
        "$tmp/scenarios/dsn-info/$s" >"$tmp/run.out" 2>&1
    strip_dsn_info "golden/dsn-info/$s/file-mail-alice" >"$tmp/want"
    check "DSN_INFO=no bounce of dsn-info/$s lacks only the DSN_INFO lines" \
        cmp -s "$tmp/want" "$tmp/golden/dsn-info/$s/file-mail-alice"
    check "DSN_INFO=no bounce of dsn-info/$s had them" \
        sh -c "! cmp -s 'golden/dsn-info/$s/file-mail-alice' '$tmp/want'"
done
check_summary
