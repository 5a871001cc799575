/*++
 * NAME
 *	fake-dovecot-auth 1
 * SUMMARY
 *	a simulated Dovecot auth service (auth-client protocol 1.x)
 * SYNOPSIS
 *	fake-dovecot-auth --port N | --unix PATH | --listen SPEC
 *		[--script FILE] [--transcript FILE] [--fault MODE] ...
 * DESCRIPTION
 *	fake-dovecot-auth plays Dovecot's auth service for an MTA's dovecot
 *	authenticator (mxlab's or Exim's). On each connection it sends the
 *	handshake Dovecot sends (VERSION, MECH lines, SPID, CUID, COOKIE,
 *	DONE), reads the client's VERSION and CPID, and answers AUTH
 *	requests for PLAIN and LOGIN against the users of its script:
 *	CONT challenges where data is missing, OK with user=, FAIL with
 *	user= (and temp for users the script marks). Script directives
 *	bend the protocol to test a client's error handling. Everything
 *	received and sent goes to the transcript, with the client's pid
 *	(CPID) and its ephemeral port (rport=) masked, so transcripts of
 *	different runs compare. See --help and docs/fakes.md.
 * DIAGNOSTICS
 *	Exit status 0 after SIGTERM, 1 for a script or set-up error, 2 for
 *	a bad command line.
 *--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../common/fake_buf.h"
#include "../common/fake_conn.h"
#include "../common/fake_msg.h"
#include "../common/fake_opts.h"
#include "../common/fake_script.h"
#include "../common/fake_server.h"
#include "../common/fake_transcript.h"

#define DV_MAX_MECH  16
#define DV_MAX_USERS 64
#define DV_LINE_MAX  16384

static const char dv_help[] =
    "Script (--script FILE): one directive a line, # comments.\n"
    "  user NAME PASSWORD [CANONICAL]  a user; OK carries "
    "user=CANONICAL\n"
    "                                  (default NAME)\n"
    "  tempfail NAME                   FAIL with user=NAME and temp for "
    "NAME\n"
    "  version MAJOR MINOR             the VERSION sent (default 1 2)\n"
    "  mech NAME [FLAG]...             a MECH line (default: PLAIN and "
    "LOGIN,\n"
    "                                  flag plaintext); repeat for more\n"
    "  spid N | cuid N | cookie HEX    handshake values (default 1234, 1,\n"
    "                                  0123456789abcdef0123456789abcdef)\n"
    "  no-mech                         send no MECH lines (an auth-master\n"
    "                                  socket)\n"
    "  wait-version                    send VERSION, then the rest only "
    "after\n"
    "                                  the client's VERSION (Dovecot 2.4)\n"
    "  after-handshake close|hang      close, or never answer, once DONE "
    "is\n"
    "                                  sent\n"
    "  reply ok-no-user | garbage | wrong-id | close | hang | long-line\n"
    "                                  instead of the final answer: OK "
    "without\n"
    "                                  user=, junk, a reply for request "
    "99,\n"
    "                                  closing, no answer, or a 10000-byte\n"
    "                                  OK line (not recorded)\n"
    "  require-secured                 know no user unless the request "
    "says\n"
    "                                  secured\n"
    "  reason TEXT                     reason= on FAIL for a wrong "
    "password\n"
    "Without a script: user alice s3cret, mechanisms PLAIN and LOGIN.\n"
    "Example:\n"
    "  user alice s3cret\n"
    "  user bob   pw     bob@test.ex\n"
    "  tempfail carol\n";

struct dv_user {
    char *name, *password, *canonical;
};

enum dv_reply {
    R_NORMAL,
    R_OK_NO_USER,
    R_GARBAGE,
    R_WRONG_ID,
    R_CLOSE,
    R_HANG,
    R_LONG
};
enum dv_after { A_NONE, A_CLOSE, A_HANG };

struct dv_config {
    struct dv_user users[DV_MAX_USERS];
    int nusers;
    char *tempfail[DV_MAX_USERS];
    int ntempfail;
    char *mechs[DV_MAX_MECH]; /* "PLAIN\tplaintext" */
    int nmechs;
    int no_mech;
    char *version;
    char *spid, *cuid, *cookie, *reason;
    int wait_version;
    int require_secured;
    enum dv_after after;
    enum dv_reply reply;
};

static struct dv_config dv_cfg;
static struct fake_opts dv_opts;

static void
dv_load(const char *path, struct dv_config *cfg)
{
    struct fake_script sc;

    cfg->version = "1\t2";
    cfg->spid = "1234";
    cfg->cuid = "1";
    cfg->cookie = "0123456789abcdef0123456789abcdef";
    if (path == NULL) {
        cfg->users[0] = (struct dv_user){"alice", "s3cret", "alice"};
        cfg->nusers = 1;
    } else {
        fake_script_load(path, &sc);
        for (int i = 0; i < sc.nlines; i++) {
            struct fake_script_line *l = &sc.lines[i];
            char **w = l->words;
            int n = l->nwords;

            if (strcmp(w[0], "user") == 0 && (n == 3 || n == 4)) {
                if (cfg->nusers == DV_MAX_USERS)
                    fake_script_error(l, "too many users");
                cfg->users[cfg->nusers++] =
                    (struct dv_user){w[1], w[2], n == 4 ? w[3] : w[1]};
            } else if (strcmp(w[0], "tempfail") == 0 && n == 2) {
                if (cfg->ntempfail == DV_MAX_USERS)
                    fake_script_error(l, "too many tempfail lines");
                cfg->tempfail[cfg->ntempfail++] = w[1];
            } else if (strcmp(w[0], "version") == 0 && n == 3) {
                struct fake_buf b;
                fake_buf_init(&b);
                fake_buf_printf(&b, "%s\t%s", w[1], w[2]);
                cfg->version = fake_strdup(fake_buf_cstr(&b));
                fake_buf_free(&b);
            } else if (strcmp(w[0], "mech") == 0 && n >= 2) {
                struct fake_buf b;
                if (cfg->nmechs == DV_MAX_MECH)
                    fake_script_error(l, "too many mechanisms");
                fake_buf_init(&b);
                for (int j = 1; j < n; j++)
                    fake_buf_printf(&b, "%s%s", j > 1 ? "\t" : "", w[j]);
                cfg->mechs[cfg->nmechs++] = fake_strdup(fake_buf_cstr(&b));
                fake_buf_free(&b);
            } else if (strcmp(w[0], "spid") == 0 && n == 2)
                cfg->spid = w[1];
            else if (strcmp(w[0], "cuid") == 0 && n == 2)
                cfg->cuid = w[1];
            else if (strcmp(w[0], "cookie") == 0 && n == 2)
                cfg->cookie = w[1];
            else if (strcmp(w[0], "reason") == 0 && n >= 2)
                cfg->reason = fake_strdup(fake_script_rest(l, 1));
            else if (strcmp(w[0], "no-mech") == 0 && n == 1)
                cfg->no_mech = 1;
            else if (strcmp(w[0], "require-secured") == 0 && n == 1)
                cfg->require_secured = 1;
            else if (strcmp(w[0], "wait-version") == 0 && n == 1)
                cfg->wait_version = 1;
            else if (strcmp(w[0], "after-handshake") == 0 && n == 2 &&
                     (strcmp(w[1], "close") == 0 || strcmp(w[1], "hang") == 0))
                cfg->after = strcmp(w[1], "close") == 0 ? A_CLOSE : A_HANG;
            else if (strcmp(w[0], "reply") == 0 && n == 2) {
                static const char *const names[] = {
                    "normal", "ok-no-user", "garbage",  "wrong-id",
                    "close",  "hang",       "long-line"};
                int j;
                for (j = 0; j < 7 && strcmp(names[j], w[1]) != 0; j++)
                    ;
                if (j == 7)
                    fake_script_error(l, "unknown reply mode \"%s\"", w[1]);
                cfg->reply = (enum dv_reply)j;
            } else
                fake_script_error(l, "unknown or malformed directive \"%s\"",
                                  w[0]);
        }
    }
    if (cfg->nmechs == 0) {
        cfg->mechs[cfg->nmechs++] = "PLAIN\tplaintext";
        cfg->mechs[cfg->nmechs++] = "LOGIN\tplaintext";
    }
}

/* Masks what differs from run to run in recorded lines: the client's
 * pid ("CPID\tN") and its port ("rport=N"). */
static void
dv_filter(struct fake_buf *line)
{
    const char *s = fake_buf_cstr(line);
    const char *p;
    struct fake_buf out;

    fake_buf_init(&out);
    while ((p = strstr(s, "CPID\\t")) != NULL ||
           (p = strstr(s, "\\trport=")) != NULL) {
        const char *cp = strstr(s, "CPID\\t"), *rp = strstr(s, "\\trport=");
        const char *at = cp && (!rp || cp < rp) ? cp : rp;
        size_t head = strlen(at == cp ? "CPID\\t" : "\\trport=");
        const char *q = at + head;

        if (!isdigit((unsigned char)*q)) {
            fake_buf_append(&out, s, (size_t)(q - s));
            s = q;
            continue;
        }
        fake_buf_append(&out, s, (size_t)(q - s));
        fake_buf_puts(&out, at == cp ? "PID" : "EPHEMERAL");
        while (isdigit((unsigned char)*q))
            q++;
        s = q;
        (void)p;
    }
    fake_buf_puts(&out, s);
    fake_buf_reset(line);
    fake_buf_append(line, out.data, out.len);
    fake_buf_free(&out);
}

static int
dv_send(struct fake_conn *c, const char *text)
{
    static const struct fake_action plain = {FAKE_ACT_REPLY, 0};

    return fake_fault_respond(c, &plain, text, strlen(text), NULL);
}

/* Base64 (RFC 4648), strict; -1 if not valid. */
static long
dv_b64_decode(const char *in, char *out, size_t max)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen(in), n = 0;
    unsigned long acc = 0;
    int bits = 0, pad = 0;

    if (len % 4 != 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        const char *p;

        if (in[i] == '=') {
            if (i < len - 2)
                return -1;
            pad++;
            continue;
        }
        if (pad || (p = strchr(abc, in[i])) == NULL || in[i] == '\0')
            return -1;
        acc = (acc << 6) | (unsigned long)(p - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= max)
                return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    return (long)n;
}

static const struct dv_user *
dv_find_user(const char *name)
{
    for (int i = 0; i < dv_cfg.nusers; i++)
        if (strcmp(dv_cfg.users[i].name, name) == 0)
            return &dv_cfg.users[i];
    return NULL;
}

static int
dv_is_tempfail(const char *name)
{
    for (int i = 0; i < dv_cfg.ntempfail; i++)
        if (strcmp(dv_cfg.tempfail[i], name) == 0)
            return 1;
    return 0;
}

/* Splits a line (LF or CRLF removed) at TABs. */
static int
dv_split(char *line, char **args, int max)
{
    int n = 0;
    size_t len = strlen(line);

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    args[n++] = line;
    for (char *p = line; *p != '\0' && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            args[n++] = p + 1;
        }
    return n;
}

static int
dv_read(struct fake_conn *c, struct fake_buf *line)
{
    int rc = fake_conn_read_line(c, line, DV_LINE_MAX);

    return rc == FAKE_IO_TOOLONG ? FAKE_IO_OK : rc;
}

/* Sends "CONT id challenge" and reads the client's "CONT id data";
 * *data is the client's data (owned by line). */
static int
dv_cont(struct fake_conn *c, const char *id, const char *challenge,
        struct fake_buf *line, char **data)
{
    struct fake_buf out;
    char *args[4];
    int rc, n;

    fake_buf_init(&out);
    fake_buf_printf(&out, "CONT\t%s\t%s\n", id, challenge);
    rc = dv_send(c, fake_buf_cstr(&out));
    fake_buf_free(&out);
    if (rc != FAKE_IO_OK)
        return rc;
    if ((rc = dv_read(c, line)) != FAKE_IO_OK)
        return rc;
    n = dv_split(line->data, args, 4);
    if (n < 3 || strcmp(args[0], "CONT") != 0 || strcmp(args[1], id) != 0) {
        fake_transcript_event(c->id, "expected CONT %s, closing", id);
        return FAKE_IO_CLOSED;
    }
    *data = args[2];
    return FAKE_IO_OK;
}

/* The final answer: OK or FAIL, or what the script puts instead. */
static int
dv_answer(struct fake_conn *c, const char *id, const char *user, int ok,
          const char *why)
{
    struct fake_buf out;
    int rc;

    switch (dv_cfg.reply) {
    case R_GARBAGE:
        fake_transcript_event(c->id, "script: garbage instead of the answer");
        return dv_send(c, "\x01\x02 this is not a Dovecot reply\n");
    case R_CLOSE:
        fake_transcript_event(c->id, "script: closing instead of answering");
        return FAKE_IO_CLOSED;
    case R_HANG:
        fake_transcript_event(c->id, "script: hang, no answer");
        return fake_conn_drain(c);
    case R_LONG: {
        /* An OK line of 10000 bytes: longer than a client's buffer. */
        struct fake_buf big;
        fake_buf_init(&big);
        fake_buf_printf(&big, "OK\t%s\tuser=", id);
        for (int i = 0; i < 10000; i++)
            fake_buf_addch(&big, 'x');
        fake_buf_puts(&big, "\n");
        fake_transcript_event(c->id, "script: a 10000-byte answer");
        rc = fake_conn_write(c, big.data, big.len);
        fake_buf_free(&big);
        return rc;
    }
    default:
        break;
    }
    if (dv_cfg.reply == R_WRONG_ID)
        id = "99";
    fake_buf_init(&out);
    if (ok && dv_cfg.reply == R_OK_NO_USER)
        fake_buf_printf(&out, "OK\t%s\n", id);
    else if (ok)
        fake_buf_printf(&out, "OK\t%s\tuser=%s\n", id, user);
    else {
        fake_buf_printf(&out, "FAIL\t%s", id);
        if (user != NULL && *user != '\0')
            fake_buf_printf(&out, "\tuser=%s", user);
        if (user != NULL && dv_is_tempfail(user))
            fake_buf_puts(&out, "\ttemp");
        else if (why != NULL)
            fake_buf_printf(&out, "\treason=%s", why);
        fake_buf_puts(&out, "\n");
    }
    rc = dv_send(c, fake_buf_cstr(&out));
    fake_buf_free(&out);
    return rc;
}

/* One AUTH request: args are its fields. */
static int
dv_auth(struct fake_conn *c, char **args, int n, struct fake_buf *line)
{
    const char *id = args[1], *mech = args[2], *resp = NULL;
    char clear[2048], user[2048] = "", pass[2048] = "", *data;
    const struct dv_user *u;
    long len;
    int rc, known = 0, secured = 0;

    for (int i = 0; i < dv_cfg.nmechs; i++)
        if (strncasecmp(dv_cfg.mechs[i], mech, strlen(mech)) == 0 &&
            (dv_cfg.mechs[i][strlen(mech)] == '\0' ||
             dv_cfg.mechs[i][strlen(mech)] == '\t'))
            known = 1;
    for (int i = 3; i < n; i++)
        if (strncmp(args[i], "resp=", 5) == 0) {
            resp = args[i] + 5;
            break;
        }
    for (int i = 3; i < n && strncmp(args[i], "resp=", 5) != 0; i++)
        if (strcmp(args[i], "secured") == 0 ||
            strncmp(args[i], "secured=", 8) == 0)
            secured = 1;
    if (!known ||
        (strcasecmp(mech, "PLAIN") != 0 && strcasecmp(mech, "LOGIN") != 0))
        return dv_answer(c, id, NULL, 0,
                         "Unsupported authentication mechanism");
    if (strcasecmp(mech, "PLAIN") == 0) {
        if (resp == NULL || *resp == '\0') {
            if ((rc = dv_cont(c, id, "", line, &data)) != FAKE_IO_OK)
                return rc;
            resp = data;
        }
        len = dv_b64_decode(resp, clear, sizeof(clear) - 1);
        if (len < 0)
            return dv_answer(c, id, NULL, 0, "Invalid base64 data");
        clear[len] = '\0';
        /* authzid NUL authcid NUL password */
        const char *a = clear, *b = memchr(clear, '\0', (size_t)len);
        const char *p =
            b ? memchr(b + 1, '\0', (size_t)(clear + len - b - 1)) : NULL;
        (void)a;
        if (b == NULL || p == NULL)
            return dv_answer(c, id, NULL, 0, "Invalid input");
        snprintf(user, sizeof(user), "%s", b + 1);
        snprintf(pass, sizeof(pass), "%.*s", (int)(clear + len - p - 1), p + 1);
    } else {
        if (resp == NULL || *resp == '\0') {
            if ((rc = dv_cont(c, id, "VXNlcm5hbWU6", line, &data)) !=
                FAKE_IO_OK)
                return rc;
            resp = data;
        }
        len = dv_b64_decode(resp, clear, sizeof(clear) - 1);
        if (len < 0)
            return dv_answer(c, id, NULL, 0, "Invalid base64 data");
        clear[len] = '\0';
        snprintf(user, sizeof(user), "%s", clear);
        if ((rc = dv_cont(c, id, "UGFzc3dvcmQ6", line, &data)) != FAKE_IO_OK)
            return rc;
        len = dv_b64_decode(data, clear, sizeof(clear) - 1);
        if (len < 0)
            return dv_answer(c, id, user, 0, "Invalid base64 data");
        clear[len] = '\0';
        snprintf(pass, sizeof(pass), "%s", clear);
    }
    if (dv_is_tempfail(user))
        return dv_answer(c, id, user, 0, NULL);
    /* As a Dovecot whose passdb knows nobody on an insecure line. */
    u = dv_cfg.require_secured && !secured ? NULL : dv_find_user(user);
    if (u != NULL && strcmp(u->password, pass) == 0)
        return dv_answer(c, id, u->canonical, 1, NULL);
    return dv_answer(c, id, u ? u->canonical : user, 0, dv_cfg.reason);
}

static int
dv_session(struct fake_conn *c, void *ctx)
{
    struct fake_buf hs, line;
    char *args[64];
    int rc, n;

    (void)ctx;
    fake_buf_init(&hs);
    fake_buf_init(&line);
    fake_buf_printf(&hs, "VERSION\t%s\n", dv_cfg.version);
    if (dv_cfg.wait_version) {
        if ((rc = dv_send(c, fake_buf_cstr(&hs))) != FAKE_IO_OK)
            goto out;
        fake_buf_reset(&hs);
        if ((rc = dv_read(c, &line)) != FAKE_IO_OK)
            goto out;
    }
    if (!dv_cfg.no_mech)
        for (int i = 0; i < dv_cfg.nmechs; i++)
            fake_buf_printf(&hs, "MECH\t%s\n", dv_cfg.mechs[i]);
    fake_buf_printf(&hs, "SPID\t%s\nCUID\t%s\nCOOKIE\t%s\nDONE\n", dv_cfg.spid,
                    dv_cfg.cuid, dv_cfg.cookie);
    if ((rc = dv_send(c, fake_buf_cstr(&hs))) != FAKE_IO_OK)
        goto out;
    if (dv_cfg.after == A_CLOSE) {
        fake_transcript_event(c->id, "script: closing after the handshake");
        rc = FAKE_IO_CLOSED;
        goto out;
    }
    if (dv_cfg.after == A_HANG) {
        fake_transcript_event(c->id, "script: hang after the handshake");
        rc = fake_conn_drain(c);
        goto out;
    }
    for (;;) {
        if ((rc = dv_read(c, &line)) != FAKE_IO_OK)
            break;
        n = dv_split(line.data, args, 64);
        if (strcmp(args[0], "AUTH") == 0 && n >= 3) {
            if ((rc = dv_auth(c, args, n, &line)) != FAKE_IO_OK)
                break;
        } else if (strcmp(args[0], "VERSION") != 0 &&
                   strcmp(args[0], "CPID") != 0) {
            fake_transcript_event(c->id, "unexpected line, closing");
            rc = FAKE_IO_CLOSED;
            break;
        }
    }
out:
    fake_buf_free(&hs);
    fake_buf_free(&line);
    return rc;
}

int
main(int argc, char **argv)
{
    static const struct fake_option none[] = {{NULL, NULL, NULL, NULL}};
    struct fake_program prog = {
        "fake-dovecot-auth",
        "A simulated Dovecot auth service (auth-client protocol) with users "
        "and faults from a script.",
        none, NULL, dv_help};

    fake_msg_init(argv[0]);
    fake_opts_parse(argc, argv, &dv_opts, &prog);
    dv_load(dv_opts.script, &dv_cfg);
    fake_transcript_filter = dv_filter;
    /* Anyone may connect to the unix socket, as to Dovecot's auth-client
     * socket (mode 0666): an MTA that runs as its own user, like Exim
     * after dropping root, must reach it. Files are created 0644. */
    umask(0);
    return fake_server_run(&dv_opts, dv_session, NULL);
}
