/*++
 * NAME
 *	cli_submit 3
 * SUMMARY
 *	local message submission: mxlab [-f sender] [-t] [-i] rcpt ...
 * SYNOPSIS
 *	#include "receive/cli.h"
 *
 *	int	receive_cli_option(struct submit_opts *o, int argc,
 *			char **argv, int *i)
 *	int	receive_cli_submit(const struct submit_opts *o, char **args,
 *			int nargs)
 * DESCRIPTION
 *	Exim's non-SMTP reception. The message is read from the standard
 *	input; a line holding only "." ends it unless -i or -oi was given
 *	(no dot is removed from other lines: this is not SMTP). CRLF line
 *	ends are taken as LF; a bare CR ends a body line, and in the
 *	header section starts a continuation line, as Exim does. Input
 *	that ends without a newline gets one.
 *
 *	The caller is the real user (login, uid, gid on line 2 of the
 *	-H, U= in the log, $sender_ident). root, and users listed in
 *	trusted_users, are trusted callers: they may set the sender with
 *	-f (qualified with qualify_domain when it has no domain; "<>" or
 *	"" for a bounce) and set -oMr (protocol) and -oMt (ident). For
 *	others -f is ignored unless it gives the empty sender, and the
 *	sender is the login at qualify_domain. Without a trusted -f the
 *	message is a local one (-local in the -H, $authenticated_id the
 *	login, $authenticated_sender login@qualify_domain), and gets
 *	From:, Message-Id: and Date: when it has none (receive(3)).
 *
 *	Recipients are the arguments (each a comma-separated list),
 *	qualified with qualify_recipient; with -t they come from the To:,
 *	Cc: and Bcc: headers instead, and arguments name addresses not to
 *	send to. The protocol is "local" (P=local).
 *
 *	When acl_not_smtp is set it runs once the message is read (with
 *	$recipients and the headers visible): its add_header and
 *	remove_header apply, control = freeze freezes the message
 *	("frozen by ACL"), control = queue_only logs "no immediate
 *	delivery: queued by ACL"; deny (or defer) refuses the message
 *	("F=<s> rejected by non-SMTP ACL: ..." in the main and reject
 *	logs, the reject log with the envelope and headers) and discard
 *	drops it (the arrival is logged, then "=> blackhole (non-SMTP ACL
 *	discarded recipients)" and "Completed").
 *
 *	The message is then written to the spool and logged ("<= sender
 *	U=login P=local S=n"). Then -odi delivers in the foreground,
 *	-odb (the default) in a background process, and -odq (or
 *	queue_only without -odi/-odb, or an ACL's queue_only control, or
 *	a freeze) leaves the message on the queue.
 *
 *	A refused message (a recipient argument that is not an address,
 *	-t without recipients, message_size_limit, acl_not_smtp) is dealt
 *	with as the error mode says, as in Exim: -oem (the default) and
 *	-oew mail a report to the sender (moan(3)) and exit 1; -oee does
 *	the same but exits 0 once the report is sent; -oep and -oeq write
 *	the error to the standard error and exit 1. A report that cannot
 *	be sent makes the exit status 1 (2 for -t without recipients).
 *	With -t, addresses in the headers that are not addresses refuse
 *	the message under -oep; otherwise they are reported to the sender
 *	and the message goes to the other recipients. -E[id] marks a
 *	report of mxlab's own, which Exim's child is given: no report is
 *	made about it (only logged), its -H gets -localerror and its "<="
 *	line " R=<id>".
 * DIAGNOSTICS
 *	Under -oep and -oeq the errors go to the standard error as
 *	"mxlab: ..." in Exim's words: "bad recipient address "...":
 *	<why>", "no recipients in message", "all -t recipients
 *	overridden by command line", "invalid address: ...", "message
 *	rejected: message too big (max=N)", "message rejected by
 *	non-SMTP ACL: <message>". Panic lines of the reception are
 *	written to the standard error too, as Exim does.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/msg.h"
#include "base/printing.h"
#include "conf/mainopts.h"
#include "deliver/deliver.h"
#include "expand/expand.h"
#include "expand/regex.h"
#include "log/log.h"
#include "priv/priv.h"
#include "receive/addr.h"
#include "receive/cli.h"
#include "receive/fscheck.h"
#include "receive/moan.h"
#include "receive/receive.h"
#include "spool/envelope.h"
#include "spool/msgid.h"
#include "registry.h"

/* An option with a value, attached ("-fa@b") or in the next word. */
static int
opt_value(const char *name, int argc, char **argv, int *i, const char **v)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] != '\0') {
        *v = a + n;
        return 1;
    }
    if (*i + 1 >= argc)
        return -1;
    *v = argv[++*i];
    return 1;
}

int
receive_cli_option(struct submit_opts *o, int argc, char **argv, int *i)
{
    static const char *const ignored[] = {"-bm", "-om", "-oo"};
    const char *a = argv[*i];
    int rc;

    /* -oee ... -oew, also without the "o" as Exim takes them */
    if ((strncmp(a, "-oe", 3) == 0 && a[3] != '\0' && a[4] == '\0' &&
         strchr("empqw", a[3]) != NULL) ||
        (strncmp(a, "-e", 2) == 0 && a[2] != '\0' && a[3] == '\0' &&
         strchr("empqw", a[2]) != NULL))
        o->errmode = a[strlen(a) - 1];
    else if (strncmp(a, "-E", 2) == 0) {
        /* a report of mxlab's own, on the message named */
        o->local_error = 1;
        o->reference =
            msgid_check(a + 2, strlen(a + 2)) != MSGID_INVALID ? a + 2 : NULL;
    } else if (strcmp(a, "-t") == 0)
        o->extract = 1;
    else if (strcmp(a, "-i") == 0 || strcmp(a, "-oi") == 0 ||
             strcmp(a, "-oitrue") == 0)
        o->no_dot = 1;
    else if (strcmp(a, "-odq") == 0 || strcmp(a, "-odi") == 0 ||
             strcmp(a, "-odb") == 0 || strcmp(a, "-odf") == 0)
        o->delivery = a[3] == 'f' ? 'i' : a[3];
    else if (strcmp(a, "-oMr") == 0 || strcmp(a, "-oMt") == 0) {
        if (*i + 1 >= argc)
            return -1;
        *(a[3] == 'r' ? &o->protocol : &o->ident) = argv[++*i];
    } else if ((rc = opt_value("-f", argc, argv, i, &o->sender)) != 0)
        return rc;
    else if ((rc = opt_value("-F", argc, argv, i, &o->name)) != 0)
        return rc;
    else {
        for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]); k++)
            if (strcmp(a, ignored[k]) == 0)
                return 1;
        return 0;
    }
    return 1;
}

struct caller {
    const char *login;
    const char *name; /* gecos */
    long uid, gid;
    int trusted;
};

/* gecos_pattern and gecos_name, as Exim: when the pattern matches the
 * gecos field (after the '&' substitution), gecos_name, expanded with
 * $1... from the match, is the user's name. NULL when they are unset,
 * do not match, or the expansion fails. */
static const char *
gecos_rewrite(struct arena *a, const char *gecos)
{
    pcre2_code *re;
    pcre2_match_data *md;
    struct expand_ctx x;
    char *out = NULL;
    int owned, rc;
    gstr err;

    if (main_config.gecos_pattern == NULL || main_config.gecos_name == NULL)
        return NULL;
    gstr_init(&err, a);
    if ((re = expand_regex_compile(main_config.gecos_pattern, 0, &err,
                                   &owned)) == NULL) {
        log_write(LOG_MAIN | LOG_PANIC, "gecos_pattern \"%s\": %s",
                  main_config.gecos_pattern, gstr_str(&err));
        return NULL;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = expand_regex_exec(re, gecos, strlen(gecos), 0, md, &err);
    if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        expand_ctx_init(&x, a);
        for (int i = 0; i < rc && i < 10; i++)
            x.nums[i] = ov[2 * i] == PCRE2_UNSET
                            ? ""
                            : arena_strndup(a, gecos + ov[2 * i],
                                            ov[2 * i + 1] - ov[2 * i]);
        x.nnums = rc < 10 ? rc : 10;
        if (expand_string(&x, main_config.gecos_name, &out, &err) !=
            EXPAND_OK) {
            DEBUG("failed to expand gecos_name string \"%s\": %s",
                  main_config.gecos_name, gstr_str(&err));
            out = NULL;
        }
    }
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    return out;
}

static void
caller_find(struct arena *a, struct caller *c, const char *forced_name)
{
    struct passwd *pw = getpwuid(priv_caller_uid());
    const char *gecos = pw && pw->pw_gecos ? pw->pw_gecos : "";
    gstr g;

    c->uid = (long)priv_caller_uid();
    c->gid = (long)priv_caller_gid();
    c->login = arena_strdup(a, pw ? pw->pw_name : "unknown");
    /* '&' in the gecos field stands for the login, capitalised */
    gstr_init(&g, a);
    for (const char *s = gecos; *s != '\0' && *s != ','; s++) {
        if (*s != '&') {
            gstr_addc(&g, *s);
            continue;
        }
        gstr_addc(&g, (char)toupper((unsigned char)c->login[0]));
        gstr_adds(&g, c->login + 1);
    }
    c->name = forced_name ? forced_name : gstr_str(&g);
    if (forced_name == NULL && main_config.gecos_pattern != NULL) {
        /* the pattern sees the whole field, '&' replaced (as Exim) */
        const char *amp = strchr(gecos, '&'), *n;
        gstr full;
        gstr_init(&full, a);
        if (amp == NULL)
            gstr_adds(&full, gecos);
        else {
            gstr_addn(&full, gecos, (size_t)(amp - gecos));
            gstr_addc(&full, (char)toupper((unsigned char)c->login[0]));
            gstr_adds(&full, c->login + 1);
            gstr_adds(&full, amp + 1);
        }
        n = gecos_rewrite(a, gstr_str(&full));
        if (n != NULL)
            c->name = n;
    }
    c->trusted = c->uid == 0;
    if (!c->trusted && main_config.trusted_users != NULL) {
        struct list_iter it;
        char *u;
        list_iter_init(&it, main_config.trusted_users, ':');
        while ((u = list_next(&it, a)) != NULL)
            if (strcmp(u, c->login) == 0)
                c->trusted = 1;
    }
}

static void
fail(const char *fmt, const char *arg)
{
    fputs("mxlab: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
}

/* Exim's expand_string_integer(): a number, optionally K, M or G. */
static int
size_limit(struct expand_ctx *x, long *limit)
{
    char *v, *end;
    gstr err;

    *limit = 0;
    if (main_config.message_size_limit == NULL)
        return 0;
    gstr_init(&err, x->arena);
    if (expand_string(x, main_config.message_size_limit, &v, &err) !=
        EXPAND_OK) {
        fail("failed to expand message_size_limit: %s", gstr_str(&err));
        return -1;
    }
    while (isspace((unsigned char)*v))
        v++;
    errno = 0;
    *limit = strtol(v, &end, 10);
    if (*end == 'K' || *end == 'k')
        *limit *= 1024, end++;
    else if (*end == 'M' || *end == 'm')
        *limit *= 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        *limit *= 1024L * 1024 * 1024, end++;
    while (isspace((unsigned char)*end))
        end++;
    if (end == v || *end != '\0' || errno != 0 || *limit < 0) {
        fail("invalid value for message_size_limit: \"%s\"", v);
        return -1;
    }
    return 0;
}

static const char *
sender_for(struct arena *a, const struct submit_opts *o, const struct caller *c,
           int *forced)
{
    const char *s = o->sender;
    const char *why;
    int dom;

    *forced = 0;
    if (s == NULL)
        return arena_printf(a, "%s@%s", c->login, main_config.qualify_domain);
    if (strcmp(s, "<>") == 0 || *s == '\0') {
        *forced = 1;
        return "";
    }
    if (!c->trusted)
        return arena_printf(a, "%s@%s", c->login, main_config.qualify_domain);
    char *addr = addr_extract(a, s, strlen(s), &dom, &why);
    if (addr == NULL) {
        fprintf(stderr, "mxlab: bad -f address \"%s\": %s\n", s, why);
        return NULL;
    }
    *forced = 1;
    return addr_qualify(a, addr, main_config.qualify_domain);
}

/* The arguments, each a comma-separated list of addresses. NULL when
 * one is not: *bad is that argument (printable), *bad_why the error. */
static struct spool_rcpt *
rcpts_from_args(struct arena *a, char **args, int nargs, int *n,
                const char **bad, const char **bad_why)
{
    struct spool_rcpt *v = arena_alloc(a, sizeof(*v) * 1);
    int cap = 1;

    *n = 0;
    for (int i = 0; i < nargs; i++) {
        const char *s = args[i];
        while (*s != '\0') {
            const char *e = addr_find_end(s);
            const char *why = NULL;
            int dom;
            char *addr = addr_extract(a, s, (size_t)(e - s), &dom, &why);
            if (addr == NULL || *addr == '\0') {
                *bad = str_printing_dup(a, args[i]);
                *bad_why = addr ? "empty address" : why;
                return NULL;
            }
            if (*n == cap) {
                v = arena_realloc(a, v, sizeof(*v) * (size_t)cap,
                                  sizeof(*v) * (size_t)cap * 2);
                cap *= 2;
            }
            memset(&v[*n], 0, sizeof(v[*n]));
            v[*n].raw = addr;
            v[*n].address =
                addr_qualify(a, addr, main_config.qualify_recipient);
            v[*n].pno = -1;
            (*n)++;
            s = *e != '\0' ? e + 1 : e;
            while (*s == ',' || isspace((unsigned char)*s))
                s++;
        }
    }
    return v;
}

struct reader {
    struct receive *r;
    int dot_ends;
    int ended; /* the "." line was seen */
    int toobig;
    const char *input; /* NULL: the standard input */
    size_t input_len;
};

/* One input line without its LF (a CR before the LF already gone). */
static void
feed_line(struct reader *rd, const char *s, size_t n)
{
    if (rd->ended || rd->toobig)
        return;
    if (rd->dot_ends && n == 1 && s[0] == '.') {
        rd->ended = 1;
        return;
    }
    /* a bare CR: a new line, a continuation in the header section */
    const char *cr = memchr(s, '\r', n);
    while (cr != NULL && !rd->toobig) {
        size_t k = (size_t)(cr - s);
        int in_headers = receive_in_headers(rd->r);
        if (receive_line(rd->r, s, k) == RECEIVE_TOOBIG)
            rd->toobig = 1;
        n -= k + 1;
        s = cr + 1;
        if (in_headers && receive_in_headers(rd->r) &&
            (n == 0 || (s[0] != ' ' && s[0] != '\t'))) {
            /* Exim turns it into LF + space: the header goes on */
            char *t = malloc(n + 1);
            if (t == NULL)
                return;
            t[0] = ' ';
            memcpy(t + 1, s, n);
            feed_line(rd, t, n + 1);
            free(t);
            return;
        }
        cr = memchr(s, '\r', n);
    }
    if (!rd->toobig && receive_line(rd->r, s, n) == RECEIVE_TOOBIG)
        rd->toobig = 1;
}

/* The next piece of the input: the standard input, or the report
 * given in the options. */
static ssize_t
read_input(struct reader *rd, char *buf, size_t size)
{
    size_t n;

    if (rd->input == NULL)
        return read(0, buf, size);
    n = rd->input_len < size ? rd->input_len : size;
    memcpy(buf, rd->input, n);
    rd->input += n;
    rd->input_len -= n;
    return (ssize_t)n;
}

static int
read_message(struct reader *rd, struct arena *a)
{
    gstr line;
    char buf[65536];
    ssize_t got;

    gstr_init(&line, a);
    while (!rd->ended && !rd->toobig &&
           (got = read_input(rd, buf, sizeof(buf))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t i = 0; i < got && !rd->ended; i++) {
            if (buf[i] != '\n') {
                gstr_addc(&line, buf[i]);
                continue;
            }
            size_t n = line.len;
            if (n > 0 && line.s[n - 1] == '\r')
                n--;
            feed_line(rd, line.s ? line.s : "", n);
            gstr_truncate(&line, 0);
        }
    }
    if (!rd->ended && line.len > 0)
        feed_line(rd, line.s, line.len);
    return 0;
}

static void
params_init(struct receive_params *p, const struct submit_opts *o,
            const struct caller *c, struct arena *a)
{
    memset(p, 0, sizeof(*p));
    p->login = c->login;
    p->uid = c->uid;
    p->gid = c->gid;
    p->trusted_caller = c->trusted;
    p->originator_name = c->name;
    p->protocol = c->trusted && o->protocol ? o->protocol : "local";
    p->ident = c->trusted && o->ident ? o->ident : c->login;
    /* Values from the command line are tainted in Exim ("--" in -H). */
    if (c->trusted && o->protocol)
        p->tainted |= SPOOL_TAINT(SPOOL_F_RECEIVED_PROTOCOL);
    if (c->trusted && o->ident)
        p->tainted |= SPOOL_TAINT(SPOOL_F_IDENT);
    p->extract_rcpts = o->extract;
    p->extract_bad_ok = !SUBMIT_ERRORS_TO_STDERR(o);
    p->message_reference = o->reference;
    p->not_smtp = 1;
    p->allow_unqualified = 1;
    /* -oMas and -oMai of a trusted caller: the authenticated sender and
     * id, tainted as Exim keeps what the command line gives */
    if (c->trusted && o->auth_sender) {
        p->auth_sender = arena_strdup(a, o->auth_sender);
        p->tainted |= SPOOL_TAINT(SPOOL_F_AUTH_SENDER);
    }
    if (c->trusted && o->auth_id) {
        p->auth_id = arena_strdup(a, o->auth_id);
        p->tainted |= SPOOL_TAINT(SPOOL_F_AUTH_ID);
    }
    /* Exim's sender_local: not when a trusted caller set the sender; then
     * what -oMas and -oMai did not give is the caller's */
    p->sender_local = o->sender == NULL || !c->trusted;
    if (p->sender_local) {
        if (p->auth_id == NULL)
            p->auth_id = c->login;
        if (p->auth_sender == NULL)
            p->auth_sender =
                arena_printf(a, "%s@%s", c->login, main_config.qualify_domain);
    }
}

/* The ACL's header changes and controls, onto the message. */
static void
apply_acl(struct receive *r, struct acl_state *st, int *queued)
{
    struct spool_msg *m = receive_msg(r);

    for (struct acl_header *h = st->headers; h != NULL; h = h->next)
        receive_add_header(r, h->text, (enum receive_hpos)h->pos);
    for (struct acl_strlist *l = st->remove_headers; l != NULL; l = l->next)
        receive_remove_headers(r, l->s);
    if ((st->controls & ACL_CTL_FREEZE) && !m->frozen) {
        m->frozen = 1;
        m->frozen_at = time(NULL);
    }
    *queued = (st->controls & ACL_CTL_QUEUE) != 0;
    if (*queued)
        receive_set_queued(r);
    registry_before_commit(r, st); /* receive_commit() follows */
}

/* A refused message, as Exim's give_local_error(): said on the
 * standard error under -oep and -oeq, else in a report to the sender.
 * The exit status: 1, or 0 under -oee when the report went. */
static int
refuse(const struct submit_opts *o, const char *sender, const struct moan *m,
       const char *what)
{
    if (SUBMIT_ERRORS_TO_STDERR(o)) {
        fail("%s", what);
        return 1;
    }
    if (!moan_to_sender(m, o, sender))
        return 1;
    return o->errmode == 'e' ? 0 : 1;
}

/* -t found bad addresses or none: what Exim tells the sender. */
static void
extract_moan(struct receive *r, struct moan *m)
{
    int ignored;

    memset(m, 0, sizeof(*m));
    m->r = r;
    m->bad = receive_bad_rcpts(r, &m->nbad, &ignored);
    if (m->nbad > 0)
        m->error = receive_msg(r)->rcpt_count > 0 ? MOAN_BADADDRESS
                                                  : MOAN_BADNOADDRESS;
    else
        m->error = ignored ? MOAN_IGADDRESS : MOAN_NOADDRESS;
}

/* acl_not_smtp, as Exim runs it once the message is read: 0 to go on,
 * 1 when it discarded the message, -1 when it refused it (logged;
 * *why is the message for the sender). */
static int
run_not_smtp_acl(struct receive *r, struct expand_ctx *x, struct arena *a,
                 int *queued, const char **why)
{
    struct spool_msg *m = receive_msg(r);
    struct acl_state st;
    const char **rcpts;
    gstr err;
    int rc;

    *queued = 0;
    if (main_config.acl_not_smtp == NULL)
        return 0;
    rcpts = arena_alloc(a, sizeof(*rcpts) * (size_t)(m->rcpt_count + 1));
    for (int i = 0; i < m->rcpt_count; i++)
        rcpts[i] = m->rcpts[i].address;
    rcpts[m->rcpt_count] = NULL;
    x->recipients = rcpts;
    acl_state_init(&st, a);
    st.message = r;
    gstr_init(&err, a);
    rc = acl_run(ACL_WHERE_NOT_SMTP, main_config.acl_not_smtp, x, &st, &err);
    if (rc == ACL_ERROR && err.len > 0)
        log_write(LOG_MAIN | LOG_PANIC, "%s ACL for %s: %s", receive_id(r),
                  acl_where_name(ACL_WHERE_NOT_SMTP), gstr_str(&err));
    if (rc == ACL_OK || rc == ACL_DISCARD) {
        apply_acl(r, &st, queued);
        return rc == ACL_DISCARD;
    }
    if (st.log_reject_target != 0)
        log_write_block(st.log_reject_target, receive_reject_block(r),
                        "%s F=<%s> rejected by non-SMTP ACL: %s", receive_id(r),
                        m->sender,
                        st.log_message    ? st.log_message
                        : st.user_message ? st.user_message
                                          : "");
    *why = st.user_message ? st.user_message : "local configuration problem";
    return -1;
}

/* From the end of the data to the message on the spool: 0, or the exit
 * status of a refusal. */
static int
finish_and_commit(struct receive *r, struct expand_ctx *x, struct arena *a,
                  const struct submit_opts *o, int *deliverable)
{
    struct spool_msg *m = receive_msg(r);
    struct moan mo;
    const char *why;
    gstr err;
    int rc, queued;

    gstr_init(&err, a);
    rc = receive_finish(r, &err);
    if (rc == RECEIVE_ERROR && o->extract) {
        extract_moan(r, &mo);
        if (mo.nbad > 0 || m->rcpt_count == 0) { /* not an expansion */
            if (SUBMIT_ERRORS_TO_STDERR(o))
                return refuse(o, m->sender, &mo, err.s);
            if (!moan_to_sender(&mo, o, m->sender))
                return mo.nbad > 0 ? 1 : 2; /* Exim's EXIT_NORECIPIENTS */
            return o->errmode == 'e' ? 0 : 1;
        }
    }
    if (rc == RECEIVE_ERROR) {
        if (strncmp(gstr_str(&err), "Expansion", 9) == 0)
            /* as Exim: the panic line itself is what the caller sees */
            log_write(LOG_MAIN | LOG_PANIC, "%s %s", receive_id(r), err.s);
        else
            fail("%s", err.s);
        return 1;
    }
    if (o->extract) { /* bad addresses, others left: the sender is told */
        extract_moan(r, &mo);
        if (mo.nbad > 0)
            (void)moan_to_sender(&mo, o, m->sender);
    }
    if ((rc = run_not_smtp_acl(r, x, a, &queued, &why)) != 0) {
        if (rc > 0) { /* Exim logs the arrival, then its sad fate */
            log_write(LOG_MAIN, "%s %s", receive_id(r), receive_log_line(r));
            log_write(LOG_MAIN,
                      "%s => blackhole (non-SMTP ACL discarded recipients)",
                      receive_id(r));
            log_write(LOG_MAIN, "%s Completed", receive_id(r));
            return 1; /* as Exim: no message, exit status 1 */
        }
        memset(&mo, 0, sizeof(mo));
        mo.error = MOAN_LOCAL_ACL;
        mo.text1 = why;
        mo.r = r;
        return refuse(
            o, m->sender, &mo,
            arena_printf(a, "message rejected by non-SMTP ACL: %s", why));
    }
    m->localerror = o->local_error;
    receive_keep_aclvars(r, x->acl_vars); /* the not-SMTP ACL's, as Exim */
    if (receive_commit(r, &err) < 0) {
        log_write(LOG_MAIN, "%s Message abandoned: %s", receive_id(r), err.s);
        fail("%s", err.s);
        return 1;
    }
    log_write(LOG_MAIN, "%s %s", receive_id(r), receive_log_line(r));
    if (m->frozen)
        log_write(LOG_MAIN, "%s frozen by ACL", receive_id(r));
    if (queued && log_selected(LS_delay_delivery))
        log_write(LOG_MAIN, "%s no immediate delivery: queued by ACL",
                  receive_id(r));
    *deliverable = !queued && !m->frozen;
    return 0;
}

/* Over message_size_limit: logged (with the headers as Exim has them
 * by then), and refused. */
static int
refuse_toobig(struct receive *r, const struct submit_opts *o, long limit,
              struct arena *a)
{
    struct moan mo;
    gstr err;

    gstr_init(&err, a);
    (void)receive_finish(r, &err);
    log_write_block(LOG_MAIN | LOG_REJECT | LOG_SEL(LS_size_reject),
                    receive_reject_block(r), "%s %s", receive_id(r),
                    receive_log_toobig(r));
    memset(&mo, 0, sizeof(mo));
    mo.error = MOAN_TOOBIG;
    mo.r = r;
    return refuse(
        o, receive_msg(r)->sender, &mo,
        arena_printf(a, "message rejected: message too big (max=%ld)", limit));
}

int
receive_cli_submit(const struct submit_opts *o, char **args, int nargs)
{
    struct arena *a = arena_create();
    struct receive_params p;
    struct expand_ctx x;
    struct caller c;
    struct reader rd;
    struct moan mo;
    const char *bad = NULL, *why = NULL;
    gstr err;
    int status = 1, forced, deliverable = 0;
    char *id = NULL;

    /* the caller sees panics of the reception, as Exim's stderr does */
    log_panic_to_stderr(1);
    caller_find(a, &c, o->name);
    if (o->input != NULL)
        c.trusted = 1; /* a report: Exim's child runs as the exim user */
    else if (receive_check_fs(0) < 0) { /* as Exim, before anything */
        fail("%s", "insufficient disk space");
        goto out;
    }
    params_init(&p, o, &c, a);
    expand_ctx_init(&x, a);
    p.ctx = &x;
    gstr_init(&err, a);
    if ((p.sender = sender_for(a, o, &c, &forced)) == NULL ||
        size_limit(&x, &p.message_size_limit) < 0)
        goto out;
    if ((p.rcpts = rcpts_from_args(a, args, nargs, &p.nrcpts, &bad, &why)) ==
        NULL) {
        memset(&mo, 0, sizeof(mo));
        mo.error = MOAN_BADARGADDRESS;
        mo.text1 = bad;
        mo.text2 = why;
        status = refuse(
            o, p.sender, &mo,
            arena_printf(a, "bad recipient address \"%s\": %s", bad, why));
        goto out;
    }
    p.sender_forced = forced;
    /* an untrusted caller's -f counts only when it was allowed */
    p.sender_set_untrusted = !c.trusted && forced;
    memset(&rd, 0, sizeof(rd));
    rd.dot_ends = !o->no_dot;
    rd.input = o->input;
    rd.input_len = o->input_len;
    if ((rd.r = receive_start(a, &p, &err)) == NULL) {
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
        fail("%s", gstr_str(&err));
        goto out;
    }
    if (read_message(&rd, a) < 0) {
        fail("error reading the message: %s", strerror(errno));
        receive_abort(rd.r);
        goto out;
    }
    if (rd.toobig) {
        status = refuse_toobig(rd.r, o, p.message_size_limit, a);
        receive_abort(rd.r);
        goto out;
    }
    status = finish_and_commit(rd.r, &x, a, o, &deliverable);
    if (status != 0) {
        receive_abort(rd.r);
    } else {
        id = arena_strdup(a, receive_id(rd.r));
        receive_close(rd.r);
    }
    /* Exim's default for local submission is -odb */
    if (id != NULL && deliverable && !deliver_should_queue()) {
        /* The caller waits for an -odi delivery: tell it of panics. */
        log_panic_to_stderr(o->delivery == 'i');
        deliver_after_reception(id, o->delivery == 'i');
    }
out:
    arena_destroy(a);
    return status;
}
