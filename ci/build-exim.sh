#!/bin/sh
# build-exim.sh - build the reference Exim that `make conformance` runs the
# scenarios against.
#
# Usage: sh ci/build-exim.sh [BUILD]      (BUILD defaults to "build")
#        EXIM_VARIANT=bmi sh ci/build-exim.sh [BUILD]
#
# EXIM_VARIANT=bmi builds a second Exim, in BUILD/exim-bmi (link
# BUILD/exim-bmi/mta), the same build plus EXPERIMENTAL_BRIGHTMAIL=yes,
# compiled against mxlab's BMI SDK stand-in (BUILD/include/bmi_api.h) and
# linked with its BUILD/lib/libbmiclient_single.so (make all builds both);
# the library is copied to the prefix's lib/ and found there through the
# binary's run path. It reuses the main build's tarball when that is
# there. Cached like the main build (its stamp includes the library's and
# the header's checksums).
#
# What it does, each step skipped when its result is already there:
#
#   1. installs the Debian packages Exim's build needs (ci/exim-deps.txt);
#   2. creates the user and group "eximlab" (Exim's EXIM_USER), a system
#      account with no login and no home;
#   3. fetches Exim's upstream tarball from Debian trixie's source archive
#      (the exim4 source package's .orig.tar.xz) through a private apt
#      configuration under BUILD/exim/apt: nothing is added to the system's
#      apt sources;
#   4. writes Local/Makefile (the experimental features, the drivers, the
#      paths below) and compiles;
#   5. installs under BUILD/exim (or, when that directory cannot be reached
#      by the eximlab user, see RUNNABLE below):
#        bin/exim            the binary, setuid root (Exim re-executes itself
#                            to deliver, so it must be)
#        bin/exim_*          Exim's database utilities
#        bin/eximstats, bin/exigrep   Exim's log utilities
#        bin/exim-lab        the command to give scenario-run as --mta
#        bin/exim-lab-dns    its DNS forwarder (harness/conformance/labdns.c)
#        etc/configure       the compiled-in default configuration (tiny)
#        etc/lab.conf        the trusted shim configuration (below)
#        etc/lab-defaults.conf  the lab's main options (ci/exim-lab.conf)
#        etc/trusted-configs TRUSTED_CONFIG_LIST: lists etc/lab.conf only
#        spool/              the compiled-in spool (and log) directory
#      and writes BUILD/exim/mta, a symbolic link to bin/exim-lab.
#
# A second run builds nothing: the stamp BUILD/exim/.stamp holds the
# version, the Local/Makefile text and the install prefix, and the build is
# redone only when one of them changed (or the binary is missing).
#
# Configuration trust. Exim run by root with -C keeps root while it reads
# the file, then receives as eximlab and re-executes itself as eximlab to
# deliver. The re-executed Exim keeps root only if its -C file is listed in
# TRUSTED_CONFIG_LIST (exact paths) and every -D macro is in
# WHITELIST_D_MACROS. Scenario directories change every run, so no list of
# exact paths can name their test.conf. Instead bin/exim-lab turns
# "-C $DIR/test.conf" into "-C etc/lab.conf -DLAB_DIR=$DIR
# -DLAB_CONF=$DIR/.exim-lab-test.conf": lab.conf is fixed and trusted (it
# only .includes LAB_CONF), LAB_DIR and LAB_CONF are the two whitelisted
# macros, and the file exim-lab writes holds the lab's default main
# options that the scenario does not set (everything Exim writes stays
# under $DIR) and then .includes the scenario's test.conf. Exim passes -C
# and the -D macros on when it re-executes itself, so deliveries keep
# their privilege. Only root and eximlab may pass -D to a trusted
# configuration (Exim drops privilege for anyone else), so this trusts
# nothing that the lab's root did not write. Exim filters -D values to
# [A-Za-z0-9_/.-], so $DIR must be made of those characters
# (the runner's mkdtemp names are).
#
# RUNNABLE. The setuid binary must be reachable by eximlab (every parent
# directory searchable). A clone under /root (mode 0700) is not; then the
# install prefix is /var/tmp/mxlab-exim/<checksum of BUILD's absolute
# path> (a directory this script creates, root-owned, mode 0755), and
# BUILD/exim/mta still points at its exim-lab. EXIM_PREFIX=DIR chooses the
# prefix by hand.
#
# Environment: EXIM_VERSION (default 4.98.2), EXIM_PREFIX, JOBS (make -j).
#
# DIAGNOSTICS: every failure prints "build-exim: " and what failed, and
# exits 1. Must run as root (it installs packages, creates a user and a
# setuid binary).
set -eu

BUILD=${1:-build}
VARIANT=${EXIM_VARIANT:-}
VERSION=${EXIM_VERSION:-4.98.2}
LABUSER=eximlab
JOBS=${JOBS:-2}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/faketime.sh"

die() {
    echo "build-exim: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (setuid install, user creation)"

case $VARIANT in
'') NAME=exim ;;
bmi)
    NAME=exim-bmi
    [ -f "$BUILD/lib/libbmiclient_single.so" ] && [ -f "$BUILD/include/bmi_api.h" ] \
        || die "no $BUILD/lib/libbmiclient_single.so or $BUILD/include/bmi_api.h (make all with EXPERIMENTAL_BMI=yes)"
    SDK_LIB=$(cd "$BUILD/lib" && pwd)
    SDK_INC=$(cd "$BUILD/include" && pwd)
    ;;
*) die "unknown EXIM_VARIANT '$VARIANT' (empty or bmi)" ;;
esac
mkdir -p "$BUILD/$NAME"
WORK=$(cd "$BUILD/$NAME" && pwd)

# 1. packages
missing=""
for p in $(grep -v '^#' "$here/exim-deps.txt"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build-exim: installing:$missing"
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -qq $missing || die "apt-get install$missing failed"
fi

# 2. the exim user
if ! getent group "$LABUSER" >/dev/null; then
    groupadd --system "$LABUSER" || die "groupadd $LABUSER failed"
fi
if ! getent passwd "$LABUSER" >/dev/null; then
    useradd --system --gid "$LABUSER" --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$LABUSER" || die "useradd $LABUSER failed"
fi

# Can eximlab reach a directory? (every parent searchable)
reachable() {
    runuser -u "$LABUSER" -- test -x "$1" 2>/dev/null
}

if [ -n "${EXIM_PREFIX:-}" ]; then
    PREFIX=$EXIM_PREFIX
elif reachable "$WORK"; then
    PREFIX=$WORK
else
    sum=$(printf '%s' "$WORK" | sha256sum | cut -c1-12)
    PREFIX=/var/tmp/mxlab-exim/$sum
    echo "build-exim: $WORK is not reachable by $LABUSER; installing in $PREFIX"
fi
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
reachable "$PREFIX" || die "$PREFIX is not reachable by $LABUSER (a parent directory is not searchable)"

# The scenarios' clock is libfaketime, preloaded by scenario-run. An Exim
# that re-executes itself as eximlab (setuid root) runs in glibc's secure
# mode, which ignores LD_PRELOAD, so its deliveries would see the real
# time. The lab's Exim is therefore linked with libfaketime: without
# FAKETIME in its environment (lab-defaults.conf keeps it) it keeps the
# real time.
FAKETIME_DIR=""
for d in /usr/lib/x86_64-linux-gnu/faketime /usr/lib/*/faketime; do
    [ -f "$d/libfaketime.so.1" ] && FAKETIME_DIR=$d && break
done
[ -n "$FAKETIME_DIR" ] || die "libfaketime.so.1 not found (Debian's libfaketime package)"

# 4a. Local/Makefile (written first: it is part of the stamp)
LOCAL_MAKEFILE=$(cat <<EOF
# Written by mxlab's ci/build-exim.sh
BIN_DIRECTORY=$PREFIX/bin
CONFIGURE_FILE=$PREFIX/etc/configure
SPOOL_DIRECTORY=$PREFIX/spool
EXIM_USER=ref:$LABUSER
EXIM_GROUP=ref:$LABUSER
TRUSTED_CONFIG_LIST=$PREFIX/etc/trusted-configs
WHITELIST_D_MACROS=LAB_DIR:LAB_CONF
FIXED_NEVER_USERS=root
HAVE_IPV6=yes
USE_OPENSSL=yes
TLS_LIBS=-lssl -lcrypto
PCRE2_CONFIG=yes
USE_DB=yes
DBMLIB=-ldb
ROUTER_ACCEPT=yes
ROUTER_DNSLOOKUP=yes
ROUTER_MANUALROUTE=yes
ROUTER_REDIRECT=yes
TRANSPORT_APPENDFILE=yes
SUPPORT_MAILDIR=yes
TRANSPORT_AUTOREPLY=yes
TRANSPORT_PIPE=yes
TRANSPORT_SMTP=yes
LOOKUP_LSEARCH=yes
LOOKUP_DSEARCH=yes
LOOKUP_DNSDB=yes
AUTH_DOVECOT=yes
AUTH_PLAINTEXT=yes
WITH_CONTENT_SCAN=yes
EXPERIMENTAL_ARC=yes
EXPERIMENTAL_DCC=yes
EXPERIMENTAL_DSN_INFO=yes
EXPERIMENTAL_QUEUEFILE=yes
EXPERIMENTAL_XCLIENT=yes
SUPPORT_PROXY=yes
SUPPORT_SPF=yes
LDFLAGS += -lspf2
HEADERS_CHARSET="ISO-8859-1"
SYSTEM_ALIASES_FILE=$PREFIX/etc/aliases
ZCAT_COMMAND=/usr/bin/zcat
COMPRESS_COMMAND=/usr/bin/gzip
COMPRESS_SUFFIX=gz
EXICYCLOG_MAX=10
NO_SYMLINK=yes
DISABLE_TLS_RESUME=yes
EXTRALIBS_EXIM=-Wl,--no-as-needed -L$FAKETIME_DIR -l:libfaketime.so.1 -Wl,-rpath,$FAKETIME_DIR
EOF
)
if [ "$VARIANT" = bmi ]; then
    # Brightmail: mxlab's SDK stand-in, copied into the prefix at install
    LOCAL_MAKEFILE=$(printf '%s\n%s\n' "$LOCAL_MAKEFILE" "EXPERIMENTAL_BRIGHTMAIL=yes
CFLAGS += -I$SDK_INC
EXTRALIBS_EXIM += -L$PREFIX/lib -lbmiclient_single -Wl,-rpath,$PREFIX/lib")
    SDK_SUM=$(cat "$SDK_LIB/libbmiclient_single.so" "$SDK_INC/bmi_api.h" | sha256sum | cut -c1-64)
else
    SDK_SUM=
fi
# (the main build's stamp is computed as before, so that it is not rebuilt)
if [ -n "$SDK_SUM" ]; then
    STAMP_NOW=$(printf 'version %s\nprefix %s\nsdk %s\n%s\n' "$VERSION" "$PREFIX" "$SDK_SUM" "$LOCAL_MAKEFILE" | sha256sum | cut -c1-64)
else
    STAMP_NOW=$(printf 'version %s\nprefix %s\n%s\n' "$VERSION" "$PREFIX" "$LOCAL_MAKEFILE" | sha256sum | cut -c1-64)
fi

build_exim() {
    # 3. the tarball
    TARBALL=$WORK/exim4_$VERSION.orig.tar.xz
    main_tarball=$BUILD/exim/exim4_$VERSION.orig.tar.xz
    if [ ! -s "$TARBALL" ] && [ -n "$VARIANT" ] && [ -s "$main_tarball" ]; then
        cp "$main_tarball" "$TARBALL"
    fi
    if [ ! -s "$TARBALL" ]; then
        APT=$WORK/apt
        mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
        # The same mirror and keyring as the system's own sources.
        uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
        [ -n "$uri" ] || uri=http://deb.debian.org/debian
        printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
            "$uri" /usr/share/keyrings/debian-archive-keyring.gpg >"$APT/trixie-src.sources"
        set -- -o Dir::Etc::sourcelist="$APT/trixie-src.sources" -o Dir::Etc::sourceparts=/nonexistent \
            -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache"
        apt-get "$@" -qq update || die "apt-get update of the private trixie deb-src source failed"
        # The .dsc and .debian.tar.xz may answer 404 (the index is newer than
        # the pool); the .orig.tar.xz, verified against the signed index by
        # apt, is all that is needed.
        (cd "$WORK" && apt-get "$@" -qq source --download-only exim4 >/dev/null 2>&1) || true
        [ -s "$TARBALL" ] || die "could not download exim4_$VERSION.orig.tar.xz from trixie's source archive"
    fi

    # 4b. unpack, configure, compile
    SRC=$WORK/exim-$VERSION
    rm -rf "$SRC"
    tar -C "$WORK" -xf "$TARBALL" || die "cannot unpack $TARBALL"
    [ -f "$SRC/src/version.sh" ] || printf 'EXIM_RELEASE_VERSION="%s"\nEXIM_VARIANT_VERSION=""\nEXIM_COMPILE_NUMBER="1"\n' \
        "$VERSION" >"$SRC/src/version.sh"
    printf '%s\n' "$LOCAL_MAKEFILE" >"$SRC/Local/Makefile"
    if [ "$VARIANT" = bmi ]; then
        install -d -m 0755 "$PREFIX/lib"
        install -m 0755 "$SDK_LIB/libbmiclient_single.so" "$PREFIX/lib/libbmiclient_single.so"
    fi
    echo "build-exim: compiling Exim $VERSION (log: $SRC/build.log)"
    if ! make -C "$SRC" -j"$JOBS" >"$SRC/build.log" 2>&1; then
        tail -20 "$SRC/build.log" >&2
        die "compiling Exim failed; see $SRC/build.log"
    fi
    OBJ=$(ls -d "$SRC"/build-*/ | head -1)
    [ -x "$OBJ/exim" ] || die "no exim binary in $OBJ"

    # 5. install (by hand: Exim's "make install" would write /etc/aliases)
    install -d -m 0755 -o root -g root "$PREFIX/bin" "$PREFIX/etc"
    install -d -m 0750 -o "$LABUSER" -g "$LABUSER" "$PREFIX/spool" "$PREFIX/spool/log"
    install -m 4755 -o root -g root "$OBJ/exim" "$PREFIX/bin/exim"
    for u in exim_dumpdb exim_fixdb exim_tidydb exim_lock exim_dbmbuild; do
        [ -x "$OBJ/$u" ] && install -m 0755 "$OBJ/$u" "$PREFIX/bin/$u"
    done
}

install_lab() {
    : >"$PREFIX/etc/aliases"
    chmod 0644 "$PREFIX/etc/aliases"

    # The default configuration: used only when no -C is given (-bV of the bare
    # binary). Everything stays under the prefix.
    printf '# the compiled-in configuration of mxlab'"'"'s reference Exim\nkeep_environment =\nlog_file_path = %s\n' \
        "$PREFIX/spool/log/%slog" >"$PREFIX/etc/configure"

    # The trusted shim reads the file exim-lab writes (the lab's defaults,
    # then an .include of the scenario's file).
    printf '# trusted shim of mxlab'"'"'s reference Exim; see bin/exim-lab\n.include LAB_CONF\n' \
        >"$PREFIX/etc/lab.conf"
    install -m 0644 "$here/exim-lab.conf" "$PREFIX/etc/lab-defaults.conf"
    printf '%s\n' "$PREFIX/etc/lab.conf" >"$PREFIX/etc/trusted-configs"
    chmod 0644 "$PREFIX/etc/configure" "$PREFIX/etc/trusted-configs" "$PREFIX/etc/lab.conf"
    chown root:root "$PREFIX/etc/configure" "$PREFIX/etc/lab.conf" "$PREFIX/etc/trusted-configs"

    cc -O2 -Wall -Wextra -Werror -o "$PREFIX/bin/exim-lab-dns" "$here/../harness/conformance/labdns.c" \
        || die "cannot compile harness/conformance/labdns.c"
    sed "s|@EXIM@|$PREFIX/bin/exim|; s|@LABCONF@|$PREFIX/etc/lab.conf|; s|@DEFAULTS@|$PREFIX/etc/lab-defaults.conf|; s|@LABDNS@|$PREFIX/bin/exim-lab-dns|" \
        "$here/exim-lab.sh" >"$PREFIX/bin/exim-lab"
    chmod 0755 "$PREFIX/bin/exim-lab"
    ln -sfn "$PREFIX/bin/exim-lab" "$WORK/mta"
    # Exim's log utilities (Perl scripts made by the build), for
    # harness/logtools/run.sh: they read mxlab's main log as Exim's.
    for u in eximstats exigrep; do
        f=$(ls "$WORK/exim-$VERSION"/build-*/"$u" 2>/dev/null | head -1)
        if [ -n "$f" ]; then
            install -m 0755 "$f" "$PREFIX/bin/$u"
            [ "$PREFIX" = "$WORK" ] || ln -sfn "$PREFIX/bin/$u" "$WORK/$u"
        fi
    done
}

if [ -f "$WORK/.stamp" ] && [ "$(cat "$WORK/.stamp")" = "$STAMP_NOW" ] \
    && [ -u "$PREFIX/bin/exim" ]; then
    echo "build-exim: Exim $VERSION up to date in $PREFIX"
else
    build_exim
fi
install_lab
faketime_mark "$WORK/.faketime" # see harness/faketime.sh
"$PREFIX/bin/exim" -bV >/dev/null || die "$PREFIX/bin/exim -bV failed"
faketime_sweep "$WORK/.faketime"
printf '%s\n' "$STAMP_NOW" >"$WORK/.stamp"
echo "build-exim: Exim $VERSION installed in $PREFIX (run it as $WORK/mta)"
