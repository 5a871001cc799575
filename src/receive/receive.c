/*++
 * NAME
 *	receive 3
 * SUMMARY
 *	building a message from its lines, into the spool
 * SYNOPSIS
 *	#include "receive/receive.h"
 *
 *	struct receive *receive_start(struct arena *msg_arena,
 *			const struct receive_params *p, gstr *err)
 *	int	receive_line(struct receive *r, const char *line, size_t len)
 *	int	receive_in_headers(const struct receive *r)
 *	int	receive_finish(struct receive *r, gstr *err)
 *	void	receive_add_header(struct receive *r, const char *text,
 *			enum receive_hpos pos)
 *	void	receive_remove_headers(struct receive *r, const char *list)
 *	int	receive_commit(struct receive *r, gstr *err)
 *	int	receive_commit_spool(struct receive *r, gstr *err)
 *	void	receive_write_msglog(struct receive *r)
 *	void	receive_abort(struct receive *r)
 *	void	receive_close(struct receive *r)
 *	void	receive_set_queued(struct receive *r)
 *	void	receive_keep_aclvars(struct receive *r,
 *			const struct expand_kv *vars)
 *	const char *receive_id(const struct receive *r)
 *	int	receive_body_fd(struct receive *r, off_t *offset)
 *	struct spool_msg *receive_msg(struct receive *r)
 *	struct expand_message *receive_expand_message(struct receive *r)
 *	long	receive_size(const struct receive *r)
 *	long	receive_chunking_total(const struct receive *r)
 *	void	receive_set_host_name(struct receive *r, const char *name)
 * DESCRIPTION
 *	One message, from the start of its data to its acceptance, the
 *	way Exim's receive_msg() goes about it; SMTP (DATA and BDAT) and
 *	local submission both feed it. The caller reads the input and
 *	owns the protocol; this module owns the message.
 *
 *	receive_start() allocates the message id (the id's time is the
 *	start of the data, as in Exim), sets $message_exim_id and
 *	$message_id in the expansion context, and opens the -D file
 *	under a temporary name.
 *
 *	receive_line() takes one logical line WITHOUT its line ending:
 *	the caller has undone SMTP dot-stuffing, recognised the end of
 *	the data, and applied its bare-CR/bare-LF (smuggling) policy. A
 *	line therefore holds no LF; a CR or NUL inside it is kept as
 *	data. Lines up to the first empty one are the header section:
 *	a line starting with a space or tab continues the header before
 *	it; a header must start "Name:" (printing characters, optional
 *	white space, a colon). As in Exim, the first line that is not a
 *	header (with its continuation lines) ends the header section
 *	without an empty line and is the first line of the body. Trailing
 *	white-space-only continuation lines are dropped and NULs in
 *	headers become "?". Body lines go to the -D file with an LF each.
 *	Sizes count every line plus one byte for its LF; when they pass
 *	message_size_limit, RECEIVE_TOOBIG is returned from then on and
 *	nothing more is stored.
 *
 *	receive_finish() is Exim's work between the end of the data and
 *	the DATA ACL: it types the headers (see below), removes
 *	Return-Path:, Envelope-To: and Delivery-Date: (marked '*'), for
 *	-t takes the recipients from To:, Cc: and Bcc: (or their Resent-
 *	forms when there are any) and marks Bcc: deleted, adds
 *	Message-Id: and Date: when missing and From: for local messages
 *	(unless suppress_local_fixups) and in submission mode, a Sender:
 *	for an untrusted local caller whose From: is not himself, and
 *	finally the Received: header from received_header_text with
 *	";\n\t<date>" after it (an empty expansion adds none). The
 *	headers and body are then in receive_expand_message(), and the
 *	context's msg points there, for the DATA ACL.
 *
 *	Header type characters are Exim's: 'B' Bcc, 'C' Cc, 'F' From,
 *	'I' Message-ID, 'P' Received, 'R' Reply-To, 'S' Sender, 'T' To,
 *	'*' deleted, ' ' any other.
 *
 *	receive_commit() writes the -D and -H files (each fsynced, then
 *	renamed, the directory fsynced): when it returns 0 the message is
 *	safe and the caller may reply 250 and log receive_log_line().
 *	With message_logs on, the message log gets its "Received from"
 *	line; its file is made by receive_start(), beside the -D, so
 *	that only the line is left to write after the commit, and it is
 *	removed again by receive_abort() or receive_close() if the
 *	message is not committed. receive_commit_spool() and
 *	receive_write_msglog() are those two steps apart, for the SMTP
 *	server, which sends its 250 between them (the message log is no
 *	part of the promise the 250 makes, and the -D lock keeps
 *	deliveries out until receive_close()).
 *	receive_abort() throws everything away.
 * DIAGNOSTICS
 *	Spool errors come back as RECEIVE_ERROR or -1 with the file and
 *	system error in err. receive_finish() fails for -t without
 *	recipients ("no recipients in message"), and when
 *	received_header_text cannot be expanded.
 * SEE ALSO
 *	rheaders.c, header typing and fixups; rlog.c, log lines.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"
#include "base/printing.h"
#include "base/tod.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "priv/priv.h"
#include "receive/receive_int.h"
#include "spool/spool_body.h"
#include "spool/spool_path.h"
#include "spool/spool_write.h"

static const char *
sdup(struct arena *a, const char *s)
{
    return s == NULL ? NULL : arena_strdup(a, s);
}

static void
copy_params(struct receive *r, const struct receive_params *p)
{
    struct arena *a = r->a;
    struct receive_params *c = &r->p;

    *c = *p;
    c->sender = sdup(a, p->sender ? p->sender : "");
    c->sender_unrewritten = sdup(a, p->sender_unrewritten);
    c->rcpts = NULL;
    c->dsn_envid = sdup(a, p->dsn_envid);
    c->protocol = sdup(a, p->protocol);
    c->host_address = sdup(a, p->host_address);
    c->host_name = sdup(a, p->host_name);
    c->helo_name = sdup(a, p->helo_name);
    c->interface_address = sdup(a, p->interface_address);
    c->ident = sdup(a, p->ident);
    c->active_hostname = sdup(a, p->active_hostname);
    c->auth_driver = sdup(a, p->auth_driver);
    c->auth_pubname = sdup(a, p->auth_pubname);
    c->auth_id = sdup(a, p->auth_id);
    c->auth_sender = sdup(a, p->auth_sender);
    c->tls_cipher = sdup(a, p->tls_cipher);
    c->tls_ver = sdup(a, p->tls_ver);
    c->tls_cipher_std = sdup(a, p->tls_cipher_std);
    c->tls_peerdn = sdup(a, p->tls_peerdn);
    c->tls_sni = sdup(a, p->tls_sni);
    c->tls_ourcert = sdup(a, p->tls_ourcert);
    c->tls_peercert_pem = sdup(a, p->tls_peercert_pem);
    c->proxy_local_address = sdup(a, p->proxy_local_address);
    c->login = sdup(a, p->login);
    c->message_reference = sdup(a, p->message_reference);
    c->originator_name = sdup(a, p->originator_name);
    c->spool_directory = sdup(a, p->spool_directory);
}

static int
localhost_number(struct expand_ctx *ctx)
{
    char *v;

    if (main_config.localhost_number == NULL || ctx == NULL ||
        expand_string(ctx, main_config.localhost_number, &v, NULL) != EXPAND_OK)
        return -1;
    int n = atoi(v);
    return n < 0 || n > MSGID_MAX_LOCALHOST_NUMBER ? -1 : n;
}

static void
set_var(struct receive *r, const char *name, const char *value)
{
    if (r->p.ctx != NULL)
        (void)expand_set_var(r->p.ctx, name, value);
}

/* The variables a message has from its start. */
static void
set_message_vars(struct receive *r)
{
    struct receive_params *p = &r->p;
    gstr g;

    set_var(r, "message_exim_id", r->m.id);
    set_var(r, "message_id", r->m.id);
    set_var(r, "received_protocol", p->protocol);
    set_var(r, "sender_address", p->sender);
    set_var(r, "sender_ident", p->ident);
    set_var(r, "sender_helo_name", p->helo_name);
    set_var(r, "authenticated_id", p->auth_id);
    set_var(r, "authenticated_sender", p->auth_sender);
    set_var(r, "sender_host_authenticated", p->auth_driver);
    set_var(r, "tls_in_cipher", p->tls_cipher);
    set_var(r, "tls_in_ver", p->tls_ver);
    set_var(r, "tls_in_cipher_std", p->tls_cipher_std);
    if (p->host_address == NULL)
        return;
    set_var(r, "sender_host_address", p->host_address);
    set_var(r, "sender_host_port", arena_printf(r->a, "%d", p->host_port));
    set_var(r, "sender_host_name", p->host_name);
    gstr_init(&g, r->a);
    receive_fullhost(&g, p);
    set_var(r, "sender_fullhost", gstr_str(&g));
    gstr_init(&g, r->a);
    receive_rcvhost(&g, p);
    set_var(r, "sender_rcvhost", gstr_str(&g));
}

static void
fill_login(struct receive *r)
{
    if (r->p.login != NULL) {
        r->m.login = (char *)r->p.login;
        r->m.uid = r->p.uid;
        r->m.gid = r->p.gid;
        return;
    }
    const char *login = priv_caller_login();
    r->m.login = arena_strdup(r->a, login != NULL ? login : "unknown");
    r->m.uid = (long)priv_caller_uid();
    r->m.gid = (long)priv_caller_gid();
}

static void
fill_envelope(struct receive *r, const struct receive_params *p)
{
    struct spool_msg *m = &r->m;
    struct receive_params *c = &r->p;

    fill_login(r);
    m->sender = (char *)c->sender;
    m->received_sec = r->start.tv_sec;
    m->received_usec = r->start.tv_usec;
    m->tainted = c->tainted;
    m->helo_name = (char *)c->helo_name;
    m->host_address = (char *)c->host_address;
    m->host_port = c->host_port;
    m->host_name = (char *)c->host_name;
    m->host_lookup_failed = c->host_lookup_failed;
    m->host_lookup_deferred = c->host_lookup_deferred;
    m->host_auth = (char *)c->auth_driver;
    m->host_auth_pubname = (char *)c->auth_pubname;
    m->interface_address = (char *)c->interface_address;
    m->interface_port = c->interface_port;
    m->active_hostname = (char *)c->active_hostname;
    m->ident = (char *)c->ident;
    m->received_protocol = (char *)c->protocol;
    m->auth_id = (char *)c->auth_id;
    m->auth_sender = (char *)c->auth_sender;
    m->allow_unqualified_recipient = c->allow_unqualified;
    m->allow_unqualified_sender = c->allow_unqualified;
    m->deliver_firsttime = 1;
    m->local = c->sender_local;
    m->sender_set_untrusted = c->sender_set_untrusted;
    m->tls_certificate_verified = c->tls_certificate_verified;
    m->tls_cipher = (char *)c->tls_cipher;
    m->tls_peerdn = (char *)c->tls_peerdn;
    m->tls_sni = (char *)c->tls_sni;
    m->tls_ourcert = (char *)c->tls_ourcert;
    m->tls_peercert = (char *)c->tls_peercert_pem;
    m->tls_ver = (char *)c->tls_ver;
    m->dsn_envid = (char *)c->dsn_envid;
    m->dsn_ret = c->dsn_ret;
    r->raw_rcpts = arena_alloc(r->a, (size_t)(p->nrcpts + 1) * sizeof(char *));
    for (int i = 0; i < p->nrcpts; i++) {
        const struct spool_rcpt *in = &p->rcpts[i];
        struct spool_rcpt *out = spool_msg_add_rcpt(m, in->address);
        out->orcpt = (char *)sdup(r->a, in->orcpt);
        out->dsn_flags = in->dsn_flags;
        out->errors_to = (char *)sdup(r->a, in->errors_to);
        out->pno = in->pno;
        r->raw_rcpts[r->nraw++] =
            in->raw != NULL ? sdup(r->a, in->raw) : out->address;
    }
}

/* What of the body is kept for $message_body and $message_body_end:
 * VISIBLE bytes of its start and of its end (message_body_visible),
 * within the limits of receive_int.h. */
static void
receive_body_keep(struct receive *r, int visible)
{
    size_t v = visible > 0 ? (size_t)visible : 0;

    r->head_cap = v < RECEIVE_BODY_HEAD ? v : RECEIVE_BODY_HEAD;
    r->tail_cap = v < RECEIVE_BODY_TAIL ? v : RECEIVE_BODY_TAIL;
    r->head = r->head_cap ? arena_alloc(r->a, r->head_cap) : NULL;
    r->tail = r->tail_cap ? arena_alloc(r->a, r->tail_cap) : NULL;
}

static void msglog_open(struct receive *r);

struct receive *
receive_start(struct arena *msg_arena, const struct receive_params *p,
              gstr *err)
{
    struct receive *r = arena_alloc(msg_arena, sizeof(*r));
    char id[MSGID_LEN + 1];

    memset(r, 0, sizeof(*r));
    r->a = msg_arena;
    copy_params(r, p);
    r->spool_dir = r->p.spool_directory ? r->p.spool_directory
                                        : main_config.spool_directory;
    r->split = main_config.split_spool_directory;
    gettimeofday(&r->start, NULL);
    msgid_generate(id, localhost_number(r->p.ctx));
    spool_msg_init(&r->m, msg_arena, id);
    fill_envelope(r, p);
    r->msglog_fd = -1;
    r->body = spool_body_open(msg_arena, r->spool_dir, r->split, id, err);
    if (r->body == NULL)
        return NULL;
    msglog_open(r);
    /* The Received: header's place, filled in by receive_finish(). */
    r->received = spool_msg_add_header(&r->m, '*', "", 0);
    r->in_headers = 1;
    gstr_init(&r->pending, msg_arena);
    receive_body_keep(r, main_config.message_body_visible);
    set_message_vars(r);
    return r;
}

/* Body bytes: to the -D file, and kept for the expansions. */
static void
body_put(struct receive *r, const char *data, size_t len)
{
    size_t head = 0;

    (void)spool_body_write(r->body, data, len);
    r->body_bytes += (long)len;
    if (r->head_len < r->head_cap) {
        head = r->head_cap - r->head_len;
        if (head > len)
            head = len;
        memcpy(r->head + r->head_len, data, head);
        r->head_len += head;
    }
    if (r->tail_cap == 0)
        return;
    if (len - head > r->tail_cap) { /* only the last tail_cap bytes stay */
        r->tail_pos += len - head - r->tail_cap;
        head = len - r->tail_cap;
    }
    for (size_t i = head; i < len;) {
        size_t at = r->tail_pos % r->tail_cap;
        size_t n = r->tail_cap - at;
        if (n > len - i)
            n = len - i;
        memcpy(r->tail + at, data + i, n);
        r->tail_pos += n;
        i += n;
    }
}

/* Exim's header-line test: printing characters up to a colon, white
 * space allowed before it. */
static int
is_header_line(const char *s, size_t len)
{
    size_t i = 0;

    if (len == 0 || isspace((unsigned char)s[0]))
        return 0;
    while (i < len && isgraph((unsigned char)s[i]) && s[i] != ':')
        i++;
    while (i < len && isspace((unsigned char)s[i]) && s[i] != '\n')
        i++;
    return i < len && s[i] == ':';
}

/* Drops continuation lines that hold only white space at the end of a
 * header (they look like the blank line that ends the headers). */
static size_t
trim_blank_continuations(struct receive *r, char *t, size_t len)
{
    for (;;) {
        size_t i = len - 1; /* the final LF */
        while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
            i--;
        if (i == 0 || t[i - 1] != '\n')
            return len;
        r->size -= (long)(len - i);
        len = i;
    }
}

/* The header section has ended. From here on, as in Exim (which makes
 * the message id at this point), log lines carry the message id. */
static void
headers_end(struct receive *r)
{
    if (r->in_headers)
        log_set_message_id(r->m.id);
    r->in_headers = 0;
}

static void
pending_done(struct receive *r)
{
    gstr *g = &r->pending;

    r->have_pending = 0;
    if (!is_header_line(g->s, g->len)) {
        r->no_blank = 1;
        headers_end(r);
        body_put(r, g->s, g->len);
        gstr_truncate(g, 0);
        return;
    }
    for (size_t i = 0; i < g->len; i++)
        if (g->s[i] == '\0')
            g->s[i] = '?';
    size_t len = trim_blank_continuations(r, g->s, g->len);
    spool_msg_add_header(&r->m, ' ', g->s, len);
    if (strncasecmp(g->s, "resent-", 7) == 0)
        r->resents = 1;
    gstr_truncate(g, 0);
}

static void
header_line(struct receive *r, const char *line, size_t len)
{
    if (r->have_pending && len > 0 && (line[0] == ' ' || line[0] == '\t')) {
        gstr_addn(&r->pending, line, len);
        gstr_addc(&r->pending, '\n');
        return;
    }
    if (r->have_pending)
        pending_done(r);
    if (!r->in_headers) { /* the pending line started the body */
        body_put(r, line, len);
        body_put(r, "\n", 1);
        return;
    }
    if (len == 0) {
        headers_end(r);
        return;
    }
    gstr_addn(&r->pending, line, len);
    gstr_addc(&r->pending, '\n');
    r->have_pending = 1;
}

int
receive_line(struct receive *r, const char *line, size_t len)
{
    if (r->toobig) {
        /* Exim reads the rest of an SMTP message, counting it: read= in
         * the log is the whole size. A local one stops at the limit. */
        if (!r->p.not_smtp)
            r->toobig_size += (long)len + 1;
        return RECEIVE_TOOBIG;
    }
    if (r->finished)
        return RECEIVE_ERROR;
    if (r->p.line_sink != NULL)
        r->p.line_sink(r->p.line_sink_arg, line, len);
    r->nlines++;
    r->size += (long)len + 1;
    if (r->in_headers) {
        if ((long)len > r->max_linelen)
            r->max_linelen = (long)len;
        header_line(r, line, len);
    } else {
        body_put(r, line, len);
        body_put(r, "\n", 1);
    }
    if (r->p.message_size_limit > 0 && r->size > r->p.message_size_limit) {
        /* Exim counts the body byte by byte and stops at the first one
         * over; a header line is checked when it is complete */
        r->toobig = 1;
        if (!r->p.not_smtp)
            r->toobig_size = r->size;
        else
            r->toobig_size =
                r->in_headers ? r->size + 1 : r->p.message_size_limit + 1;
        return RECEIVE_TOOBIG;
    }
    return RECEIVE_OK;
}

void
receive_set_dkim(struct receive *r, const char *domain)
{
    r->dkim_domain = domain ? sdup(r->a, domain) : NULL;
}

void
receive_set_arc(struct receive *r, int pass)
{
    r->arc_pass = pass;
}

int
receive_in_headers(const struct receive *r)
{
    return r->in_headers;
}

/* Exim's message_id_header_text may hold anything but controls and
 * RFC 5322 specials; message_id_header_domain letters, digits and
 * dots. Others become '-'. */
static char *
msgid_part(struct receive *r, const char *option, int domain)
{
    char *v;

    if (option == NULL || r->p.ctx == NULL)
        return NULL;
    if (expand_string(r->p.ctx, option, &v, NULL) != EXPAND_OK || *v == '\0')
        return NULL;
    v = arena_strdup(r->a, v);
    for (char *s = v; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (domain ? !isalnum(c) && c != '.'
                   : c < 0x20 || c == 0x7f || strchr("()<>@,;:\\\".[]", c))
            *s = '-';
    }
    return v;
}

static int
fixups_apply(const struct receive *r)
{
    return (r->p.host_address == NULL && !r->p.suppress_local_fixups) ||
           r->p.submission_mode;
}

static void
add_message_id(struct receive *r)
{
    const char *text = msgid_part(r, main_config.message_id_header_text, 0);
    const char *domain = msgid_part(r, main_config.message_id_header_domain, 1);
    char *h = arena_printf(r->a, "%sMessage-Id: <E%s%s%s@%s>\n",
                           r->resents ? "Resent-" : "", r->m.id,
                           text ? "." : "", text ? text : "",
                           domain ? domain : main_config.primary_hostname);

    if (r->resents) {
        receive_header_insert_after(r, r->received, 'I', h);
        return;
    }
    receive_header_append(r, 'I', h);
    r->msgid_header = r->m.headers_last;
    r->msgid_created = 1;
}

static int
add_received(struct receive *r, gstr *err)
{
    char *text;
    gstr ts, h;

    if (r->p.ctx == NULL || main_config.received_header_text == NULL) {
        gstr_adds(err, "no expansion context for received_header_text");
        return RECEIVE_ERROR;
    }
    if (r->m.rcpt_count == 1)
        set_var(r, "received_for", r->m.rcpts[0].address);
    int rc =
        expand_string(r->p.ctx, main_config.received_header_text, &text, err);
    set_var(r, "received_for", NULL);
    if (rc != EXPAND_OK) {
        gstr g;
        gstr_init(&g, r->a);
        gstr_adds(&g, "Expansion of \"");
        str_printing(&g, main_config.received_header_text,
                     strlen(main_config.received_header_text));
        gstr_adds(&g, "\" (received_header_text) failed: ");
        gstr_addn(&g, err->s ? err->s : "", err->len);
        gstr_truncate(err, 0);
        gstr_addn(err, g.s, g.len);
        return RECEIVE_ERROR;
    }
    gstr_init(&ts, r->a);
    tod_full(&ts, r->complete.tv_sec);
    gstr_init(&h, r->a);
    if (*text == '\0') {
        gstr_printf(&h, "Received: ; %s\n", ts.s);
        r->received->type = '*';
    } else {
        gstr_printf(&h, "%s;\n\t%s\n", text, ts.s);
        r->received->type = 'P';
    }
    r->received->text = h.s;
    r->received->len = h.len;
    return RECEIVE_OK;
}

/* What Exim adds once the header section is read. */
static void
header_fixups(struct receive *r, int date_exists, struct spool_header *from)
{
    /* Exim's order: Message-Id:, the recipients rewritten, From: and
     * Sender: added, the sender rewritten, the headers qualified and
     * rewritten (receive_local_fixups()), Date: */
    if (r->msgid_header == NULL && fixups_apply(r))
        add_message_id(r);
    receive_rewrite_recipients(r);
    receive_local_fixups(r, date_exists, from);
}

int
receive_finish(struct receive *r, gstr *err)
{
    struct spool_header *from = NULL;
    int date_exists = 0, extract = 0;

    if (r->toobig) {
        /* Exim stops reading headers at the line that passes the limit
         * (it is not a header) and adds its own before the body */
        r->have_pending = 0;
        headers_end(r);
        if (!r->toobig_fixed) {
            r->toobig_fixed = 1;
            receive_classify_headers(r, &date_exists, &from);
            header_fixups(r, date_exists, from);
        }
        return RECEIVE_TOOBIG;
    }
    if (r->have_pending)
        pending_done(r);
    headers_end(r);
    if (r->finished)
        return RECEIVE_OK;
    receive_classify_headers(r, &date_exists, &from);
    if (r->p.extract_rcpts)
        extract = receive_extract_rcpts(r, err);
    header_fixups(r, date_exists, from); /* (also for a report) */
    if (r->p.extract_rcpts && (r->nbad > 0 || r->m.rcpt_count == 0))
        log_write(LOG_MAIN | LOG_PANIC, "%s %s found in headers", r->m.id,
                  r->nbad > 0 ? "bad addresses" : "no recipients");
    if (extract < 0)
        return RECEIVE_ERROR;
    gettimeofday(&r->complete, NULL);
    if (add_received(r, err) != RECEIVE_OK)
        return RECEIVE_ERROR;
    r->m.max_received_linelength = r->max_linelen;
    set_var(r, "message_size", arena_printf(r->a, "%ld", r->size));
    receive_build_expand_message(r);
    r->finished = 1;
    return RECEIVE_OK;
}

/* The message log, msglog/[<c>/]<id>, is made with the -D file, while
 * the client sends the data, so that only its line is left to write
 * once the message is accepted; it is removed again if the message is
 * not. */
static void
msglog_open(struct receive *r)
{
    const char *path;
    int fd;

    r->msglog_fd = -1;
    if (!main_config.message_logs)
        return;
    if (r->split)
        path = arena_printf(r->a, "%s/msglog/%c/%s", r->spool_dir,
                            msgid_split_char(r->m.id), r->m.id);
    else
        path = arena_printf(r->a, "%s/msglog/%s", r->spool_dir, r->m.id);
    r->msglog = path;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 && errno == ENOENT) { /* the first message: make the dirs */
        const char *top = arena_printf(r->a, "%s/msglog", r->spool_dir);

        (void)mkdir(top, 0750);
        if (r->split)
            (void)mkdir(
                arena_printf(r->a, "%s/%c", top, msgid_split_char(r->m.id)),
                0750);
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    }
    r->msglog_fd = fd;
    r->msglog_errno = fd < 0 ? errno : 0;
}

/* Closes the message log if it is still open; remove: the message is
 * not accepted (or no longer), and its message log goes too. */
static void
msglog_close(struct receive *r, int remove)
{
    if (r->msglog_fd >= 0)
        close(r->msglog_fd);
    r->msglog_fd = -1;
    if (remove && r->msglog != NULL)
        (void)unlink(r->msglog);
}

/* "Received from ..." as Exim starts the message log. */
void
receive_write_msglog(struct receive *r)
{
    gstr line;
    int fd = r->msglog_fd;

    if (!main_config.message_logs || !r->committed)
        return;
    r->msglog_fd = -1;
    if (fd < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "Couldn't open message log %s: %s",
                  r->msglog, strerror(r->msglog_errno));
        return;
    }
    gstr_init(&line, r->a);
    tod_log(&line, time(NULL));
    gstr_printf(&line, " Received from %s\n", receive_log_line_ex(r, 0) + 3);
    if (r->m.frozen) {
        tod_log(&line, time(NULL));
        gstr_adds(&line, " frozen by ACL\n");
    }
    if (r->queued) {
        tod_log(&line, time(NULL));
        gstr_adds(&line, " no immediate delivery: queued by ACL\n");
    }
    if (write(fd, line.s, line.len) != (ssize_t)line.len)
        log_write(LOG_MAIN | LOG_PANIC, "Couldn't write message log %s: %s",
                  r->msglog, strerror(errno));
    close(fd);
}

int
receive_commit_spool(struct receive *r, gstr *err)
{
    if (!r->finished || r->toobig || r->committed) {
        gstr_adds(err, "message not ready to be committed");
        return -1;
    }
    r->m.complete_sec = r->complete.tv_sec;
    r->m.complete_usec = r->complete.tv_usec;
    if (spool_write_message(r->spool_dir, r->split, &r->m, r->body, err) < 0) {
        spool_body_abort(r->body);
        msglog_close(r, 1);
        r->closed = 1;
        return -1;
    }
    r->committed = 1;
    return 0;
}

int
receive_commit(struct receive *r, gstr *err)
{
    if (receive_commit_spool(r, err) < 0)
        return -1;
    receive_write_msglog(r);
    return 0;
}

/* input/[<c>/]<id><suffix> */
static void
unlink_input(struct receive *r, const char *suffix)
{
    gstr g;

    gstr_init(&g, r->a);
    spool_path_file(&g, r->spool_dir, r->split, "", r->m.id, suffix);
    (void)unlink(g.s);
}

void
receive_abort(struct receive *r)
{
    log_set_message_id(NULL); /* no message accepted */
    if (r == NULL)
        return;
    if (r->committed) {
        unlink_input(r, "-H");
        unlink_input(r, "-D");
    }
    msglog_close(r, 1);
    if (!r->closed && r->body != NULL) {
        if (r->committed)
            spool_body_close(r->body);
        else
            spool_body_abort(r->body);
    }
    r->closed = 1;
    r->committed = 0;
}

void
receive_close(struct receive *r)
{
    log_set_message_id(NULL);
    if (r == NULL)
        return;
    msglog_close(r, !r->committed);
    if (!r->closed && r->body != NULL) {
        if (r->committed)
            spool_body_close(r->body);
        else
            spool_body_abort(r->body);
        r->closed = 1;
    }
}

void
receive_set_queued(struct receive *r)
{
    r->queued = 1;
}

const char *
receive_id(const struct receive *r)
{
    return r->m.id;
}

int
receive_body_fd(struct receive *r, off_t *offset)
{
    if (r->body == NULL || spool_body_flush(r->body) < 0)
        return -1;
    *offset = (off_t)strlen(r->m.id) + 3; /* "<id>-D\n" */
    return spool_body_fd(r->body);
}

long
receive_body_read(const struct receive *r)
{
    long n;

    if (!r->toobig || !r->p.not_smtp || r->p.message_size_limit <= 0)
        return r->body_bytes;
    /* what was read beyond the header section, up to limit + 1 */
    n = r->p.message_size_limit + 1 - (r->size - r->body_bytes);
    return n < 0 ? 0 : n > r->body_bytes ? r->body_bytes : n;
}

const struct receive_bad_rcpt *
receive_bad_rcpts(const struct receive *r, int *n, int *ignored)
{
    *n = r->nbad;
    *ignored = r->extract_ignored;
    return r->nbad > 0 ? r->bad : NULL;
}

struct spool_msg *
receive_msg(struct receive *r)
{
    return &r->m;
}

void
receive_keep_aclvars(struct receive *r, const struct expand_kv *kv)
{
    if (kv == NULL)
        return;
    receive_keep_aclvars(r, kv->next);
    if (kv->value != NULL && strncmp(kv->name, "acl_", 4) == 0 &&
        (kv->name[4] == 'c' || kv->name[4] == 'm'))
        spool_msg_set_aclvar(&r->m, kv->name[4], kv->name + 5, kv->value,
                             strlen(kv->value))
            ->tainted = kv->tainted;
}

struct expand_message *
receive_expand_message(struct receive *r)
{
    return &r->xmsg;
}

long
receive_size(const struct receive *r)
{
    return r->size;
}

long
receive_chunking_total(const struct receive *r)
{
    /* Exim adds its line count to the size, and counts the body's first
     * line twice when no empty line ended the headers */
    return r->size + r->nlines + r->no_blank;
}

void
receive_set_host_name(struct receive *r, const char *name)
{
    if (name == NULL || r->p.host_name != NULL)
        return;
    r->p.host_name = arena_strdup(r->a, name);
    r->m.host_name = (char *)r->p.host_name;
    r->m.tainted |= SPOOL_TAINT(SPOOL_F_HOST_NAME); /* from the DNS */
}
