/*++
 * NAME
 *	rheaders 3
 * SUMMARY
 *	a received message's headers: types, -t, fixups, ACL changes
 * SYNOPSIS
 *	#include "receive/receive_int.h"
 *
 *	char	receive_header_type(const char *text, size_t len,
 *			int is_resent, char *detail)
 *	int	receive_classify_headers(struct receive *r,
 *			int *date_exists, struct spool_header **from)
 *	int	receive_extract_rcpts(struct receive *r, gstr *err)
 *	void	receive_local_fixups(struct receive *r, int date_exists,
 *			struct spool_header *from)
 *	void	receive_add_header(struct receive *r, const char *text,
 *			enum receive_hpos pos)
 *	void	receive_remove_headers(struct receive *r, const char *list)
 *	void	receive_build_expand_message(struct receive *r)
 * DESCRIPTION
 *	receive_header_type() is Exim's header_checkname(): the name
 *	(after "Resent-" when is_resent) compared without regard to case
 *	with bcc, cc, date, delivery-date, envelope-to, from, message-id,
 *	received, reply-to, return-path, sender, subject and to. It
 *	returns the spool type character, and in *detail a letter for
 *	the names that have no type of their own ('d' Date, 's' Subject,
 *	'r' Return-Path, 'e' Envelope-To, 'v' Delivery-Date).
 *
 *	receive_classify_headers() sets the types of the headers as
 *	received. Return-Path:, Envelope-To: and Delivery-Date: are
 *	marked deleted (Exim's *_remove options, on by default); so is a
 *	Sender: from an untrusted local caller or in submission mode. The
 *	first Message-ID (or Resent-Message-ID when there are Resent-
 *	headers) is the one logged with id=.
 *
 *	receive_local_fixups() adds From:, Sender: and Date: as Exim
 *	does for local messages and in submission mode; Message-Id: is
 *	added by receive_finish(). Between Sender: and Date: (Exim's
 *	order), the envelope sender is rewritten and the address headers
 *	qualified and rewritten (rrewrite.c, rqualify.c).
 *
 *	receive_add_header() and receive_remove_headers() are the ACL
 *	modifiers add_header and remove_header.
 * DIAGNOSTICS
 *	receive_extract_rcpts() fails with "no recipients in message" or
 *	"invalid address: ..." as Exim words them.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/tod.h"
#include "conf/mainopts.h"
#include "spool/spool_body.h"
#include "base/printing.h"
#include "log/log.h"
#include "receive/addr.h"
#include "receive/receive_int.h"

static const struct {
    const char *name;
    int allow_resent;
    char type;
    char detail;
} names[] = {
    {"bcc", 1, 'B', 'B'},         {"cc", 1, 'C', 'C'},
    {"date", 1, ' ', 'd'},        {"delivery-date", 0, ' ', 'v'},
    {"envelope-to", 0, ' ', 'e'}, {"from", 1, 'F', 'F'},
    {"message-id", 1, 'I', 'I'},  {"received", 0, 'P', 'P'},
    {"reply-to", 0, 'R', 'R'},    {"return-path", 0, ' ', 'r'},
    {"sender", 1, 'S', 'S'},      {"subject", 0, ' ', 's'},
    {"to", 1, 'T', 'T'},
};

char
receive_header_type(const char *text, size_t len, int is_resent, char *detail)
{
    *detail = ' ';
    if (is_resent) {
        text += 7;
        len -= 7;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i].name);
        if (len < n || strncasecmp(text, names[i].name, n) != 0)
            continue;
        size_t j = n;
        while (j < len && (text[j] == ' ' || text[j] == '\t'))
            j++;
        if (j >= len || text[j] != ':')
            continue;
        if (is_resent && !names[i].allow_resent)
            return ' ';
        *detail = names[i].detail;
        return names[i].type;
    }
    return ' ';
}

static int
is_resent_header(const struct spool_header *h)
{
    return h->len >= 7 && strncasecmp(h->text, "resent-", 7) == 0;
}

int
receive_header_named(const struct spool_header *h, const char *name, size_t n)
{
    size_t j = n;

    if (h->len <= n || strncasecmp(h->text, name, n) != 0)
        return 0;
    while (j < h->len && (h->text[j] == ' ' || h->text[j] == '\t'))
        j++;
    return j < h->len && h->text[j] == ':';
}

static void from_is_login(struct receive *r, struct spool_header **from);

static int
smtp_input(const struct receive *r)
{
    return !r->p.not_smtp;
}

static int
untrusted_local(const struct receive *r)
{
    return r->p.sender_local && !r->p.trusted_caller &&
           !r->p.suppress_local_fixups;
}

static char *
header_value(struct receive *r, const struct spool_header *h)
{
    const char *colon = memchr(h->text, ':', h->len);
    const char *s = colon ? colon + 1 : h->text + h->len;
    const char *e = h->text + h->len;

    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return arena_strndup(r->a, s, (size_t)(e - s));
}

int
receive_classify_headers(struct receive *r, int *date_exists,
                         struct spool_header **from)
{
    for (struct spool_header *h = r->m.headers; h != NULL; h = h->next) {
        if (h == r->received)
            continue;
        int resent = is_resent_header(h);
        int counts = !r->resents || resent; /* the set that matters */
        char detail;
        char t = receive_header_type(h->text, h->len, resent, &detail);

        h->type = t;
        switch (detail) {
        case 'd':
            if (counts)
                *date_exists = 1;
            break;
        case 'v':
        case 'e':
        case 'r':
            h->type = '*';
            break;
        case 'F':
            if (counts) {
                *from = h;
                if (!smtp_input(r))
                    from_is_login(r, from);
            }
            break;
        case 'I':
            if (r->msgid_header == NULL && counts)
                r->msgid_header = h;
            break;
        case 'S':
            if (counts && (untrusted_local(r) || r->p.submission_mode))
                h->type = '*';
            break;
        case 's':
            r->subject_header = h;
            break;
        }
    }
    return 0;
}

static int
rcpt_known(const struct spool_msg *m, const char *a)
{
    for (int i = 0; i < m->rcpt_count; i++)
        if (strcasecmp(m->rcpts[i].address, a) == 0)
            return 1;
    return 0;
}

static void
bad_add(struct receive *r, const char *s, size_t n, const char *why)
{
    gstr g;

    if (r->nbad % 8 == 0)
        r->bad = arena_realloc(r->a, r->bad, sizeof(*r->bad) * (size_t)r->nbad,
                               sizeof(*r->bad) * (size_t)(r->nbad + 8));
    gstr_init(&g, r->a);
    str_printing(&g, s, n);
    r->bad[r->nbad].text = gstr_str(&g);
    r->bad[r->nbad].why = why;
    r->nbad++;
}

/* The addresses of one To:/Cc:/Bcc: header. */
static void
extract_from(struct receive *r, const struct spool_header *h)
{
    char *v = header_value(r, h);
    const char *s = v;

    /* folded lines: the newlines go, the white space stays */
    for (char *p = v, *q = v;; p++) {
        if (*p != '\n')
            *q++ = *p;
        if (*p == '\0')
            break;
    }
    while (*s != '\0') {
        const char *e = addr_find_end(s);
        const char *why = NULL;
        int dom;
        char *a = addr_extract(r->a, s, (size_t)(e - s), &dom, &why);

        if (a == NULL) {
            size_t n = (size_t)(e - s);
            while (n > 0 && isspace((unsigned char)s[n - 1]))
                n--;
            bad_add(r, s, n, why);
        } else if (*a != '\0') {
            const char *raw = a;

            a = addr_qualify(r->a, a, main_config.qualify_recipient);
            if (spool_msg_is_nonrcpt(&r->m, a))
                r->extract_ignored = 1;
            else if (!rcpt_known(&r->m, a))
                spool_msg_add_rcpt(&r->m, a)->raw = raw;
        }
        s = *e != '\0' ? e + 1 : e;
        while (isspace((unsigned char)*s))
            s++;
    }
}

int
receive_extract_rcpts(struct receive *r, gstr *err)
{
    struct spool_msg *m = &r->m;

    /* Exim's extract_addresses_remove_arguments: command-line
     * recipients are not sent to when -t is given. */
    for (int i = 0; i < m->rcpt_count; i++)
        spool_msg_add_nonrcpt(m, m->rcpts[i].address);
    m->rcpt_count = 0;
    r->nbad = 0;
    r->extract_ignored = 0;
    for (struct spool_header *h = m->headers; h != NULL; h = h->next) {
        if (h->type != 'T' && h->type != 'C' && h->type != 'B')
            continue;
        if (r->resents && !is_resent_header(h))
            continue;
        extract_from(r, h);
        if (h->type == 'B')
            h->type = '*';
    }
    r->nraw = 0;
    r->raw_rcpts =
        arena_alloc(r->a, (size_t)(m->rcpt_count + 1) * sizeof(char *));
    for (int i = 0; i < m->rcpt_count; i++)
        r->raw_rcpts[r->nraw++] =
            m->rcpts[i].raw ? m->rcpts[i].raw : m->rcpts[i].address;
    if (r->nbad == 0 && m->rcpt_count > 0)
        return 0;
    if (m->rcpt_count > 0 && r->p.extract_bad_ok)
        return 0; /* the caller reports them; the message goes on */
    if (r->nbad == 1)
        gstr_printf(err, "invalid address:  %s: %s", r->bad[0].text,
                    r->bad[0].why);
    else if (r->nbad > 1) {
        gstr_adds(err, "invalid addresses:");
        for (int i = 0; i < r->nbad; i++)
            gstr_printf(err, "\n  %s: %s", r->bad[i].text, r->bad[i].why);
    } else if (r->extract_ignored)
        gstr_adds(err, "all -t recipients overridden by command line");
    else
        gstr_adds(err, "no recipients in message");
    return -1;
}

/* Exim's parse_fix_phrase(), enough for a gecos name: quoted when it
 * holds RFC 5322 specials. */
static const char *
fix_phrase(struct receive *r, const char *name)
{
    gstr g;

    if (name == NULL)
        return "";
    if (strpbrk(name, "()<>@,;:\\\".[]") == NULL)
        return name;
    gstr_init(&g, r->a);
    gstr_addc(&g, '"');
    for (const char *s = name; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            gstr_addc(&g, '\\');
        gstr_addc(&g, *s);
    }
    gstr_addc(&g, '"');
    return gstr_str(&g);
}

static void
add_from(struct receive *r, struct spool_header **from)
{
    const char *prefix = r->resents ? "Resent-" : "";
    const char *oname = "";
    char *h;

    if (r->p.host_address == NULL &&
        (!r->p.trusted_caller || (!smtp_input(r) && !r->p.sender_forced)))
        oname = fix_phrase(r, r->p.originator_name);
    if (*r->p.sender == '\0') {
        if (!r->p.sender_local)
            return;
        h = arena_printf(r->a, "%sFrom: %s%s%s@%s%s\n", prefix, oname,
                         *oname ? " <" : "", r->m.login,
                         main_config.qualify_domain, *oname ? ">" : "");
    } else
        /* as Exim, the sender before verification rewrote it */
        h = arena_printf(
            r->a, "%sFrom: %s%s%s%s\n", prefix, oname, *oname ? " <" : "",
            r->p.sender_unrewritten ? r->p.sender_unrewritten : r->p.sender,
            *oname ? ">" : "");
    receive_header_append(r, 'F', h);
    *from = r->m.headers_last;
}

/* Sendmail's habit: "From: login" alone becomes the full form. */
static void
from_is_login(struct receive *r, struct spool_header **from)
{
    char *v = header_value(r, *from);

    if (strcasecmp(v, r->m.login) != 0)
        return;
    (*from)->type = '*';
    receive_header_append(
        r, 'F',
        arena_printf(r->a, "%s: %s <%s@%s>\n",
                     is_resent_header(*from) ? "Resent-From" : "From",
                     fix_phrase(r, r->p.originator_name), r->m.login,
                     main_config.qualify_domain));
    *from = r->m.headers_last;
}

static void
check_sender(struct receive *r, struct spool_header *from)
{
    char *gen =
        arena_printf(r->a, "%s@%s", r->m.login, main_config.qualify_domain);
    char *v = header_value(r, from);
    const char *why;
    int dom;
    const char *e = addr_find_end(v);
    char *a = *e == '\0' ? addr_extract(r->a, v, strlen(v), &dom, &why) : NULL;

    if (a != NULL &&
        (strcasecmp(a, gen) == 0 || (!dom && strcasecmp(a, r->m.login) == 0)))
        return;
    receive_header_append(
        r, 'S',
        arena_printf(r->a, "%sSender: %s <%s>\n", r->resents ? "Resent-" : "",
                     fix_phrase(r, r->p.originator_name), gen));
}

void
receive_local_fixups(struct receive *r, int date_exists,
                     struct spool_header *from)
{
    int fix = (r->p.host_address == NULL && !r->p.suppress_local_fixups) ||
              r->p.submission_mode;

    if (from == NULL && fix)
        add_from(r, &from);
    if (from != NULL && main_config.local_from_check && untrusted_local(r))
        check_sender(r, from);
    receive_rewrite_sender(r);
    receive_qualify_headers(r);
    if (!date_exists && fix) {
        gstr g;
        gstr_init(&g, r->a);
        gstr_printf(&g, "%sDate: ", r->resents ? "Resent-" : "");
        tod_full(&g, r->start.tv_sec);
        gstr_addc(&g, '\n');
        if (r->resents)
            receive_header_insert_after(r, r->received, ' ', g.s);
        else
            receive_header_append(r, ' ', g.s);
    }
}

static struct spool_header *
new_header(struct receive *r, char type, const char *text)
{
    struct spool_header *h = arena_alloc(r->a, sizeof(*h));

    h->type = type;
    h->len = strlen(text);
    h->text = arena_strndup(r->a, text, h->len);
    h->next = NULL;
    return h;
}

void
receive_header_append(struct receive *r, char type, const char *text)
{
    struct spool_header *h = new_header(r, type, text);

    if (r->m.headers_last != NULL)
        r->m.headers_last->next = h;
    else
        r->m.headers = h;
    r->m.headers_last = h;
}

void
receive_header_insert_after(struct receive *r, struct spool_header *prev,
                            char type, const char *text)
{
    struct spool_header *h = new_header(r, type, text);

    if (prev == NULL) {
        h->next = r->m.headers;
        r->m.headers = h;
    } else {
        h->next = prev->next;
        prev->next = h;
    }
    if (h->next == NULL)
        r->m.headers_last = h;
}

/* The headers in text: a line that does not start with white space
 * starts a new one; every one ends with a newline. */
static const char *
next_added(struct receive *r, const char *s, char **one)
{
    const char *e = s;
    gstr g;

    do {
        const char *nl = strchr(e, '\n');
        e = nl ? nl + 1 : e + strlen(e);
    } while (*e == ' ' || *e == '\t');
    gstr_init(&g, r->a);
    gstr_addn(&g, s, (size_t)(e - s));
    if (g.len == 0 || g.s[g.len - 1] != '\n')
        gstr_addc(&g, '\n');
    *one = (char *)gstr_str(&g);
    return e;
}

static struct spool_header *
last_received(struct receive *r)
{
    struct spool_header *h = r->m.headers, *last = NULL;

    while (h != NULL && !receive_header_named(h, "Received", 8) &&
           h != r->received)
        h = h->next;
    for (; h != NULL &&
           (h == r->received || receive_header_named(h, "Received", 8));
         h = h->next)
        last = h;
    return last;
}

static struct spool_header *
last_rfc_prefix(struct receive *r)
{
    struct spool_header *h = r->m.headers;

    while (h->next != NULL && (receive_header_named(h->next, "Received", 8) ||
                               (h->next->len >= 7 &&
                                strncasecmp(h->next->text, "Resent-", 7) == 0)))
        h = h->next;
    return h;
}

void
receive_add_header(struct receive *r, const char *text, enum receive_hpos pos)
{
    struct spool_header *after = NULL;

    for (const char *s = text; *s != '\0';) {
        char *one, detail;
        s = next_added(r, s, &one);
        char type = receive_header_type(one, strlen(one), 0, &detail);
        switch (pos) {
        case RECEIVE_AT_START:
            receive_header_insert_after(r, after, type, one);
            after = after ? after->next : r->m.headers;
            break;
        case RECEIVE_AFTER_RECEIVED:
            receive_header_insert_after(r, after ? after : last_received(r),
                                        type, one);
            after = after ? after->next : last_received(r)->next;
            break;
        case RECEIVE_AT_START_RFC:
            if (after == NULL)
                after = last_rfc_prefix(r);
            receive_header_insert_after(r, after, type, one);
            after = after->next;
            break;
        default:
            receive_header_append(r, type, one);
            break;
        }
    }
    receive_build_expand_message(r);
}

void
receive_remove_headers(struct receive *r, const char *list)
{
    struct list_iter it;
    char *name;

    list_iter_init(&it, list, ':');
    while ((name = list_next(&it, r->a)) != NULL) {
        size_t n = strlen(name);
        if (n > 0 && name[n - 1] == ':')
            n--;
        for (struct spool_header *h = r->m.headers; h != NULL; h = h->next)
            if (h->type != '*' && receive_header_named(h, name, n))
                h->type = '*';
    }
    receive_build_expand_message(r);
}

static size_t
name_len(const struct spool_header *h)
{
    size_t i = 0;

    while (i < h->len && h->text[i] != ':' &&
           !isspace((unsigned char)h->text[i]))
        i++;
    return i;
}

/* The body for expansions: all of it when it was kept whole, else its
 * start and its end; its size and counts are the whole body's. */
static void
expand_body(struct receive *r)
{
    struct expand_message *x = &r->xmsg;
    size_t n = r->tail_pos < r->tail_cap ? r->tail_pos : r->tail_cap;

    x->counted = 1;
    x->body_size = (unsigned long)r->body_bytes;
    x->body_lines = (unsigned long)spool_body_lines_so_far(r->body);
    x->body_zeros = (unsigned long)spool_body_zerocount(r->body);
    if (n == 0) {
        x->body = r->head ? r->head : "";
        x->body_len = r->head_len;
        return;
    }
    char *b = arena_alloc(r->a, r->head_len + n + 1);
    size_t start = (r->tail_pos - n) % r->tail_cap; /* the oldest byte */
    size_t first = n < r->tail_cap - start ? n : r->tail_cap - start;

    memcpy(b, r->head, r->head_len);
    memcpy(b + r->head_len, r->tail + start, first);     /* to the ring's end */
    memcpy(b + r->head_len + first, r->tail, n - first); /* from its start */
    x->body = b;
    x->body_len = r->head_len + n;
}

void
receive_build_expand_message(struct receive *r)
{
    struct expand_header **tail = &r->xmsg.headers;

    r->xmsg.headers = NULL;
    for (struct spool_header *h = r->m.headers; h != NULL; h = h->next) {
        if (h->type == '*' || h->len == 0)
            continue;
        struct expand_header *x = arena_alloc(r->a, sizeof(*x));
        x->text = h->text;
        x->len = h->len;
        x->name_len = name_len(h);
        x->next = NULL;
        *tail = x;
        tail = &x->next;
    }
    expand_body(r);
    if (r->p.ctx != NULL)
        r->p.ctx->msg = &r->xmsg;
}
