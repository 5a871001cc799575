/*++
 * NAME
 *	tpcall 3
 * SUMMARY
 *	calling transports, and writing a message as Exim does
 * SYNOPSIS
 *	#include "transport/tpcall.h"
 *
 *	int	transport_register_driver(const struct transport_driver *d)
 *	const struct transport_driver *transport_driver_for(
 *			const struct driver_instance *tp)
 *	void	transport_set_result(struct transport_call *c,
 *			enum addr_result result, int basic_errno,
 *			const char *message)
 *	int	transport_expand(struct transport_call *c,
 *			const char *text, char **out)
 *	int	transport_write_message(struct transport_call *c, int fd,
 *			const struct tp_write_opts *o, gstr *err)
 *	int	transport_check_generic(struct transport_call *c)
 *	void	transport_msglog(struct transport_call *c,
 *			const char *fmt, ...)
 * DESCRIPTION
 *	The transport drivers' code is found by driver name; appendfile
 *	and pipe are built in, the smtp transport of the next slice
 *	registers itself.
 *
 *	transport_write_message() is Exim's transport_write_message():
 *	the prefix; "Return-path: <sender>" under return_path_add;
 *	"Envelope-to: " with the top-level addresses of the batch under
 *	envelope_to_add; "Delivery-date: " under delivery_date_add; the
 *	-H headers that are not deleted ('*') and whose names are not in
 *	the router's or the transport's headers_remove (a "*" at the end
 *	of an item matches any rest), their addresses rewritten by the
 *	transport's headers_rewrite (src/rewrite/); the router's
 *	headers_add, then the transport's; an empty line; the body from
 *	the -D file; the suffix. A line that starts with check_string
 *	starts with escape_string instead; under use_crlf lines end in
 *	CRLF.
 *
 *	transport_msglog() adds a line to the message log through the
 *	call's msglog hook (the delivery sets it; NULL: nothing).
 * DIAGNOSTICS
 *	Write and read errors: -1 with the system's message in err.
 *--*/

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/list.h"
#include "base/tod.h"
#include "conf/driver.h"
#include "conf/mainopts.h"
#include "conf/opt.h"
#include "expand/expand.h"
#include "log/log.h"
#include "rewrite/rewrite.h"
#include "spool/envelope.h"
#include "transport/tpcall.h"
#include "transport/tpdrivers.h"
#include "transport/transport.h"

#define TP_DRIVERS_MAX 8

static const struct transport_driver *drivers[TP_DRIVERS_MAX] = {
    &transport_appendfile_driver,
    &transport_pipe_driver,
    &transport_smtp_driver,
#ifdef EXPERIMENTAL_QUEUEFILE
    &transport_queuefile_driver,
#endif
};
static size_t ndrivers = 3
#ifdef EXPERIMENTAL_QUEUEFILE
                         + 1
#endif
    ;

int
transport_register_driver(const struct transport_driver *d)
{
    if (ndrivers >= TP_DRIVERS_MAX)
        return -1;
    drivers[ndrivers++] = d;
    return 0;
}

const struct transport_driver *
transport_driver_for(const struct driver_instance *tp)
{
    for (size_t i = 0; i < ndrivers; i++)
        if (tp->info != NULL && strcmp(drivers[i]->name, tp->info->name) == 0)
            return drivers[i];
    return NULL;
}

void
transport_log(struct transport_call *c, unsigned which, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
    log_write(which, "%s %s", c->msg->m->id, text);
}

void
transport_msglog(struct transport_call *c, const char *fmt, ...)
{
    va_list ap;
    char *text;

    if (c->msglog == NULL)
        return;
    va_start(ap, fmt);
    text = arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
    c->msglog(c->msglog_ctx, text);
}

void
transport_set_result(struct transport_call *c, enum addr_result result,
                     int basic_errno, const char *message)
{
    for (struct address *a = c->addrs; a != NULL; a = a->next) {
        a->result = result;
        a->basic_errno = basic_errno;
        a->message = message ? arena_strdup(c->arena, message) : NULL;
    }
}

int
transport_expand(struct transport_call *c, const char *text, char **out)
{
    gstr err;
    int rc;

    gstr_init(&err, c->arena);
    rc = expand_string(c->x, text, out, &err);
    if (rc == EXPAND_OK)
        return 0;
    transport_set_result(
        c, ADDR_DEFER, 0,
        arena_printf(c->arena,
                     "Failed to expand \"%s\" in %s "
                     "transport: %s",
                     text, c->tp->name,
                     rc == EXPAND_FAIL ? "forced failure" : gstr_str(&err)));
    return -1;
}

int
transport_check_generic(struct transport_call *c)
{
    const struct transport_generic *g = c->tp->generic;
    char *v;
    long long limit = 0;

    if (g->message_size_limit == NULL)
        return 0;
    if (transport_expand(c, g->message_size_limit, &v) < 0)
        return -1;
    /* read as the main option is (K, M, G); empty is no limit */
    if (*v != '\0' && (opt_parse_int(v, &limit) < 0 || limit < 0)) {
        transport_set_result(c, ADDR_DEFER, 0,
                             arena_printf(c->arena,
                                          "invalid message_size_limit "
                                          "setting for %s transport",
                                          c->tp->name));
        return -1;
    }
    if (limit > 0 && c->msg->size > limit) {
        transport_set_result(c, ADDR_FAIL, 0,
                             arena_printf(c->arena,
                                          "message is too big (transport "
                                          "limit = %lld)",
                                          limit));
        return -1;
    }
    return 0;
}

/* Output with escaping at line starts, buffered. */
struct tpw {
    int fd;
    const struct tp_write_opts *o;
    gstr buf;
    int bol; /* at the beginning of a line */
    int failed;
    long count; /* bytes written, for the S= of delivery lines */
};

static void
tpw_flush(struct tpw *w)
{
    size_t off = 0;

    w->count += (long)w->buf.len;
    while (!w->failed && off < w->buf.len) {
        ssize_t n = write(w->fd, w->buf.s + off, w->buf.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->failed = errno ? errno : EIO;
        else
            off += (size_t)n;
    }
    gstr_truncate(&w->buf, 0);
}

static void
tpw_put(struct tpw *w, const char *p, size_t n)
{
    const char *check = w->o->check;
    size_t clen = check ? strlen(check) : 0;

    for (size_t i = 0; i < n; i++) {
        if (w->bol && clen > 0 && n - i >= clen &&
            memcmp(p + i, check, clen) == 0) {
            gstr_adds(&w->buf, w->o->escape ? w->o->escape : "");
            i += clen - 1;
            w->bol = 0;
            continue;
        }
        if (p[i] == '\n' && w->o->crlf)
            gstr_addc(&w->buf, '\r');
        gstr_addc(&w->buf, p[i]);
        w->bol = p[i] == '\n';
    }
    if (w->buf.len >= 65536)
        tpw_flush(w);
}

static void
tpw_puts(struct tpw *w, const char *s)
{
    tpw_put(w, s, strlen(s));
}

/* name matches a headers_remove item ("X-Foo", "X-*"). */
static int
header_removed(struct arena *a, const char *text, size_t name_len,
               const char *list)
{
    struct list_iter it;
    char *item;

    if (list == NULL)
        return 0;
    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, a)) != NULL) {
        size_t n = strlen(item);
        if (n > 0 && item[n - 1] == '*') {
            if (name_len >= n - 1 && strncasecmp(text, item, n - 1) == 0)
                return 1;
        } else if (n == name_len && strncasecmp(text, item, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Header lines to add: each ends in a newline. */
static void
tpw_add_headers(struct tpw *w, const char *text)
{
    size_t n;

    if (text == NULL || *text == '\0')
        return;
    n = strlen(text);
    tpw_put(w, text, n);
    if (text[n - 1] != '\n')
        tpw_put(w, "\n", 1);
}

static void
write_envelope_to(struct tpw *w, struct transport_call *c)
{
    const struct address *done[64];
    size_t ndone = 0;
    int first = 1;

    tpw_puts(w, "Envelope-to: ");
    for (struct address *a = c->addrs; a != NULL; a = a->next) {
        const struct address *top = address_top(a);
        size_t i;
        for (i = 0; i < ndone && done[i] != top; i++)
            ;
        if (i < ndone)
            continue;
        if (ndone < 64)
            done[ndone++] = top;
        if (!first)
            tpw_puts(w, ",\n ");
        first = 0;
        tpw_puts(w, top->address);
    }
    tpw_puts(w, "\n");
}

/* The header through the transport's headers_rewrite, or NULL if it
 * does not change. An unqualified address is qualified only when the
 * message may carry them, as at reception. */
static const char *
rewritten_header(struct transport_call *c, const struct spool_header *h)
{
    const struct rewrite_rules *rr = rewrite_transport_rules(c->tp);
    unsigned flag = rewrite_header_flag(h->type);
    const struct spool_msg *m = c->msg->m;
    const char *qualify = NULL;

    if (rr == NULL || !(rr->existflags & flag) || c->x == NULL)
        return NULL;
    if (flag & (RW_SENDER | RW_FROM | RW_REPLYTO)) {
        if (m->allow_unqualified_sender)
            qualify = main_config.qualify_domain;
    } else if (m->allow_unqualified_recipient)
        qualify = main_config.qualify_recipient;
    return rewrite_header_text(c->x, rr, h->text, h->len, flag, qualify);
}

static void
write_headers(struct tpw *w, struct transport_call *c, const char *tp_add,
              const char *tp_remove)
{
    const struct address *a = c->addrs;

    for (const struct spool_header *h = c->msg->m->headers; h != NULL;
         h = h->next) {
        const char *colon = memchr(h->text, ':', h->len);
        size_t name_len = colon ? (size_t)(colon - h->text) : 0;

        while (name_len > 0 &&
               (h->text[name_len - 1] == ' ' || h->text[name_len - 1] == '\t'))
            name_len--;
        if (h->type == '*' ||
            header_removed(c->arena, h->text, name_len, tp_remove) ||
            header_removed(c->arena, h->text, name_len, a->headers_remove))
            continue;
        const char *text = rewritten_header(c, h);
        if (text != NULL)
            tpw_puts(w, text);
        else
            tpw_put(w, h->text, h->len);
    }
    tpw_add_headers(w, a->headers_add);
    tpw_add_headers(w, tp_add);
}

static int
write_body(struct tpw *w, struct transport_call *c, gstr *err)
{
    char buf[16384];
    off_t pos = c->msg->body_offset;
    ssize_t n;

    while ((n = pread(c->msg->data_fd, buf, sizeof(buf), pos)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            gstr_printf(err, "error reading spool data file: %s",
                        strerror(errno));
            return -1;
        }
        tpw_put(w, buf, (size_t)n);
        pos += n;
        if (w->failed)
            break;
    }
    return 0;
}

int
transport_write_message(struct transport_call *c, int fd,
                        const struct tp_write_opts *o, gstr *err)
{
    const struct transport_generic *g = c->tp->generic;
    char *tp_add = NULL, *tp_remove = NULL;
    struct tpw w = {fd, o, {0}, 1, 0, 0};
    gstr date;

    if ((g->headers_add && transport_expand(c, g->headers_add, &tp_add) < 0) ||
        (g->headers_remove &&
         transport_expand(c, g->headers_remove, &tp_remove) < 0)) {
        gstr_adds(err, c->addrs->message);
        return -1;
    }
    gstr_init(&w.buf, c->arena);
    if (o->prefix != NULL) { /* written as it is, not escaped */
        struct tp_write_opts raw = *o;
        w.o = &raw;
        raw.check = NULL;
        tpw_puts(&w, o->prefix);
        tpw_flush(&w);
        w.o = o;
        w.bol = 1;
    }
    if (!g->body_only) {
        if (g->return_path_add) {
            tpw_puts(&w, "Return-path: <");
            tpw_puts(&w, c->return_path ? c->return_path : "");
            tpw_puts(&w, ">\n");
        }
        if (g->envelope_to_add)
            write_envelope_to(&w, c);
        if (g->delivery_date_add) {
            gstr_init(&date, c->arena);
            tod_full(&date, time(NULL));
            tpw_puts(&w, "Delivery-date: ");
            tpw_puts(&w, gstr_str(&date));
            tpw_puts(&w, "\n");
        }
        write_headers(&w, c, tp_add, tp_remove);
        tpw_put(&w, "\n", 1); /* under headers_only too, as Exim */
    }
    if (!g->headers_only && write_body(&w, c, err) < 0)
        return -1;
    tpw_flush(&w);
    if (o->suffix != NULL)
        tpw_puts(&w, o->suffix);
    tpw_flush(&w);
    /* Exim's transport_count, for S=: the prefix and suffix too */
    c->bytes_written = w.count;
    if (w.failed) {
        errno = w.failed;
        gstr_printf(err, "%s", strerror(w.failed));
        return -1;
    }
    return 0;
}
