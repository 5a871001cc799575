/*++
 * NAME
 *	envelope 3
 * SUMMARY
 *	a message's envelope and headers, as the -H file holds them
 * SYNOPSIS
 *	#include "spool/envelope.h"
 *
 *	void	spool_msg_init(struct spool_msg *m, struct arena *a,
 *			const char *id)
 *	struct spool_rcpt *spool_msg_add_rcpt(struct spool_msg *m,
 *			const char *address)
 *	struct spool_header *spool_msg_add_header(struct spool_msg *m,
 *			char type, const char *text, size_t len)
 *	struct spool_aclvar *spool_msg_set_aclvar(struct spool_msg *m,
 *			char kind, const char *name, const char *value,
 *			size_t len)
 *	struct spool_aclvar *spool_msg_get_aclvar(const struct spool_msg *m,
 *			char kind, const char *name)
 *	void	spool_msg_add_unknown(struct spool_msg *m, const char *line)
 *	int	spool_msg_add_nonrcpt(struct spool_msg *m, const char *address)
 *	int	spool_msg_is_nonrcpt(const struct spool_msg *m,
 *			const char *address)
 *	size_t	spool_msg_header_size(const struct spool_msg *m)
 * DESCRIPTION
 *	A struct spool_msg is the in-memory form of a -H file: the fields
 *	are public and set directly; these functions add to its lists. All
 *	memory comes from the arena given to spool_msg_init(); strings
 *	passed in are copied there.
 *
 *	spool_msg_set_aclvar() replaces the value of a variable that is
 *	already set and keeps its place, as Exim's variable trees do.
 *	spool_msg_add_nonrcpt() records a delivered address in the
 *	non-recipients tree.
 * DIAGNOSTICS
 *	None; out of memory is fatal (arena).
 *--*/

#include <string.h>

#include "base/arena.h"
#include "spool/envelope.h"
#include "spool/tree.h"

void
spool_msg_init(struct spool_msg *m, struct arena *a, const char *id)
{
    memset(m, 0, sizeof(*m));
    m->arena = a;
    if (id != NULL) {
        size_t n = strnlen(id, MSGID_LEN);

        memcpy(m->id, id, n);
        m->id[n] = '\0';
    }
    m->login = arena_strdup(a, "");
    m->sender = arena_strdup(a, "");
    m->uid = m->gid = -1;
}

struct spool_rcpt *
spool_msg_add_rcpt(struct spool_msg *m, const char *address)
{
    struct spool_rcpt *r;

    if (m->rcpt_count == m->rcpt_cap) {
        int cap = m->rcpt_cap ? m->rcpt_cap * 2 : 8;

        m->rcpts = arena_realloc(m->arena, m->rcpts,
                                 sizeof(*m->rcpts) * (size_t)m->rcpt_cap,
                                 sizeof(*m->rcpts) * (size_t)cap);
        m->rcpt_cap = cap;
    }
    r = &m->rcpts[m->rcpt_count++];
    memset(r, 0, sizeof(*r));
    r->address = arena_strdup(m->arena, address);
    r->pno = -1;
    return r;
}

struct spool_header *
spool_msg_add_header(struct spool_msg *m, char type, const char *text,
                     size_t len)
{
    struct spool_header *h = arena_alloc(m->arena, sizeof(*h));

    h->type = type;
    h->text = arena_strndup(m->arena, text, len);
    h->len = len;
    if (m->headers_last != NULL)
        m->headers_last->next = h;
    else
        m->headers = h;
    m->headers_last = h;
    return h;
}

struct spool_aclvar *
spool_msg_get_aclvar(const struct spool_msg *m, char kind, const char *name)
{
    for (struct spool_aclvar *v = m->aclvars; v != NULL; v = v->next)
        if (v->kind == kind && strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

struct spool_aclvar *
spool_msg_set_aclvar(struct spool_msg *m, char kind, const char *name,
                     const char *value, size_t len)
{
    struct spool_aclvar *v = spool_msg_get_aclvar(m, kind, name);

    if (v == NULL) {
        struct spool_aclvar **tail = &m->aclvars;

        while (*tail != NULL)
            tail = &(*tail)->next;
        v = arena_alloc(m->arena, sizeof(*v));
        v->kind = kind;
        v->name = arena_strdup(m->arena, name);
        *tail = v;
    }
    v->value = arena_strndup(m->arena, value, len);
    v->len = len;
    v->tainted = 0;
    v->quoter = NULL;
    return v;
}

void
spool_msg_add_unknown(struct spool_msg *m, const char *line)
{
    struct spool_optline **tail = &m->unknown;
    struct spool_optline *o = arena_alloc(m->arena, sizeof(*o));

    o->line = arena_strdup(m->arena, line);
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = o;
}

int
spool_msg_add_nonrcpt(struct spool_msg *m, const char *address)
{
    return tree_add(&m->nonrecipients, m->arena, address, NULL);
}

int
spool_msg_is_nonrcpt(const struct spool_msg *m, const char *address)
{
    return tree_search(m->nonrecipients, address) != NULL;
}

size_t
spool_msg_header_size(const struct spool_msg *m)
{
    size_t n = 0;

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->type != '*')
            n += h->len;
    return n;
}
