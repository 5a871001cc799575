/*++
 * NAME
 *	queue_list 3
 * SUMMARY
 *	the queue, listed as Exim lists it
 * SYNOPSIS
 *	#include "spool/queue_list.h"
 *
 *	int	spool_queue_scan(const char *spool_dir, int split,
 *			struct arena *a,
 *			int (*fn)(const struct queue_entry *e, void *ctx),
 *			void *ctx, gstr *err)
 *	int	spool_queue_count(const char *spool_dir, gstr *err)
 *	void	queue_format_age(gstr *out, long seconds)
 *	void	queue_format_size(gstr *out, long size)
 *	void	queue_format_message(gstr *out, const struct spool_msg *m,
 *			int rc, const char *id, long size, time_t now,
 *			long hfile_size, const char *read_error,
 *			enum queue_list_option option)
 *	int	queue_list(gstr *out, const char *spool_dir, int split,
 *			time_t now, enum queue_list_option option, gstr *err)
 *	int	queue_list_ids(gstr *out, const char *spool_dir, int split,
 *			time_t now, enum queue_list_option option,
 *			char *const *ids, int n)
 * DESCRIPTION
 *	A message is on the queue when its -H file exists: the scan looks
 *	for names "<id>-H" with a valid id, in input/ and in every
 *	one-character subdirectory of it whatever split_spool_directory
 *	says (as Exim does, so messages from before a change of the
 *	setting are seen). Temporary files, -D files without -H (messages
 *	not yet accepted) and anything else are not messages. The list is
 *	sorted as Exim sorts for -bp and queue_run_in_order: by arrival
 *	time, then the sub-second part of the id.
 *
 *	queue_list() prints, for each message, Exim's line
 *	"<age> <size> <id> <sender>" (" *** frozen ***" added for frozen
 *	messages, " (<login>)" after the sender when it was set by an
 *	untrusted caller), then each recipient indented eight spaces and
 *	preceded by "D" when already delivered (including deliveries in a
 *	-J journal), then an empty line. The size counts the headers that
 *	are transmitted and the body, plus one, as Exim does. A message
 *	whose -H is corrupt shows "*** spool format error: size=N ***" on
 *	a second line; a message that vanished during the listing is left
 *	out. queue_list_ids() lists the messages named (-bp ID ...) in
 *	the order given, showing a missing one with its read error.
 * DIAGNOSTICS
 *	-1 with err set when the input directory cannot be read.
 *--*/

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/envelope.h"
#include "spool/queue_list.h"
#include "spool/spool_path.h"
#include "spool/spool_read.h"
#include "spool/tree.h"

struct entries {
    struct queue_entry *v;
    size_t n;
    size_t cap;
    struct arena *a;
};

static void
entries_add(struct entries *e, const char *id, size_t idlen, char subdir)
{
    struct queue_entry *q;

    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;

        e->v = arena_realloc(e->a, e->v, e->cap * sizeof(*e->v),
                             cap * sizeof(*e->v));
        e->cap = cap;
    }
    q = &e->v[e->n++];
    memcpy(q->id, id, idlen);
    q->id[idlen] = '\0';
    q->subdir = subdir;
}

/* Adds the messages in one directory; in input/ itself also collects
 * the subdirectory names. */
static int
scan_dir(const char *path, char subdir, struct entries *e, char *subs,
         size_t *nsubs, struct gstr *err)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d == NULL) {
        if (errno == ENOENT)
            return 0;
        gstr_printf(err, "cannot read spool directory %s: %s", path,
                    strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (subs != NULL && len == 1 && isalnum((unsigned char)de->d_name[0])) {
            if (*nsubs < 62)
                subs[(*nsubs)++] = de->d_name[0];
            continue;
        }
        if (len > 2 && strcmp(de->d_name + len - 2, "-H") == 0 &&
            msgid_check(de->d_name, len - 2) != MSGID_INVALID)
            entries_add(e, de->d_name, len - 2, subdir);
    }
    closedir(d);
    return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
    return msgid_cmp(((const struct queue_entry *)a)->id,
                     ((const struct queue_entry *)b)->id);
}

static int
collect(const char *spool_dir, struct entries *e, struct gstr *err)
{
    struct gstr path;
    char subs[62];
    size_t nsubs = 0;

    gstr_init(&path, e->a);
    spool_path_dir(&path, spool_dir, 0);
    if (scan_dir(path.s, 0, e, subs, &nsubs, err) < 0)
        return -1;
    for (size_t i = 0; i < nsubs; i++) {
        gstr_truncate(&path, 0);
        spool_path_dir(&path, spool_dir, subs[i]);
        if (scan_dir(path.s, subs[i], e, NULL, NULL, err) < 0)
            return -1;
    }
    if (e->n > 1)
        qsort(e->v, e->n, sizeof(*e->v), entry_cmp);
    return 0;
}

int
spool_queue_scan(const char *spool_dir, int split, struct arena *a,
                 int (*fn)(const struct queue_entry *e, void *ctx), void *ctx,
                 struct gstr *err)
{
    struct entries e = {NULL, 0, 0, a};

    (void)split; /* both layouts are always looked at */
    if (collect(spool_dir, &e, err) < 0)
        return -1;
    for (size_t i = 0; i < e.n; i++)
        if (fn(&e.v[i], ctx) != 0)
            break;
    return (int)e.n;
}

int
spool_queue_count(const char *spool_dir, struct gstr *err)
{
    struct arena *a = arena_create();
    struct entries e = {NULL, 0, 0, a};
    int rc = collect(spool_dir, &e, err);

    if (rc == 0)
        rc = (int)e.n;
    arena_destroy(a);
    return rc;
}

void
queue_format_age(struct gstr *out, long seconds)
{
    long i = seconds / 60;

    if (i > 90) {
        i = (i + 30) / 60;
        if (i > 72)
            gstr_printf(out, "%2ldd ", (i + 12) / 24);
        else
            gstr_printf(out, "%2ldh ", i);
    } else
        gstr_printf(out, "%2ldm ", i);
}

void
queue_format_size(struct gstr *out, long size)
{
    if (size == 0)
        gstr_adds(out, "     ");
    else if (size < 1024)
        gstr_printf(out, "%5ld", size);
    else if (size < 10 * 1024)
        gstr_printf(out, "%4.1fK", (double)size / 1024.0);
    else if (size < 1024 * 1024)
        gstr_printf(out, "%4ldK", (size + 512) / 1024);
    else if (size < 10 * 1024 * 1024)
        gstr_printf(out, "%4.1fM", (double)size / (1024.0 * 1024.0));
    else
        gstr_printf(out, "%4ldM", (size + 512 * 1024) / (1024 * 1024));
}

/* Marks the tree nodes that are top-level recipients. */
static void
mark_primary(const struct spool_msg *m)
{
    for (int i = 0; i < m->rcpt_count; i++) {
        struct tree_node *n =
            tree_search(m->nonrecipients, m->rcpts[i].address);

        if (n != NULL)
            n->value = (void *)m; /* any non-NULL mark */
    }
}

static void
put_generated(struct gstr *out, const struct tree_node *n)
{
    if (n == NULL)
        return;
    put_generated(out, n->left);
    if (n->value == NULL)
        gstr_printf(out, "       +D %s\n", n->name);
    put_generated(out, n->right);
}

void
queue_format_message(struct gstr *out, const struct spool_msg *m, int rc,
                     const char *id, long size, time_t now, long hfile_size,
                     const char *read_error, enum queue_list_option option)
{
    int env_read = rc == SPOOL_READ_OK || rc == SPOOL_READ_HDRERROR;

    if (env_read)
        queue_format_age(out, (long)(now - m->received_sec));
    queue_format_size(out, size);
    gstr_printf(out, " %s", id);
    if (env_read) {
        gstr_printf(out, " <%s>", m->sender);
        if (m->sender_set_untrusted)
            gstr_printf(out, " (%s)", m->login);
    }
    if (rc != SPOOL_READ_OK) {
        gstr_adds(out, "\n    ");
        if (rc == SPOOL_READ_NOTOPEN)
            gstr_printf(out, "*** spool read error: %s ***",
                        read_error ? read_error : "");
        else if (hfile_size >= 0)
            gstr_printf(out, "*** spool format error: size=%ld ***",
                        hfile_size);
        else
            gstr_adds(out, "*** spool format error ***");
        if (rc != SPOOL_READ_HDRERROR) {
            gstr_adds(out, "\n\n");
            return;
        }
    }
    if (m->frozen)
        gstr_adds(out, " *** frozen ***");
    gstr_addc(out, '\n');
    for (int i = 0; i < m->rcpt_count; i++) {
        int done = spool_msg_is_nonrcpt(m, m->rcpts[i].address);

        if (!done || option != QUEUE_LIST_UNDELIVERED)
            gstr_printf(out, "        %s %s\n", done ? "D" : " ",
                        m->rcpts[i].address);
    }
    if (option == QUEUE_LIST_PLUS_GENERATED && m->nonrecipients != NULL) {
        mark_primary(m);
        put_generated(out, m->nonrecipients);
    }
    gstr_addc(out, '\n');
}

struct list_ctx {
    struct gstr *out;
    const char *spool_dir;
    time_t now;
    enum queue_list_option option;
    int listed; /* ids named on the command line: say when one is gone */
};

static long
file_size(const char *spool_dir, char subdir, const char *id,
          const char *suffix, struct arena *a)
{
    struct gstr path;
    struct stat st;

    gstr_init(&path, a);
    spool_path_file_in(&path, spool_dir, subdir, "", id, suffix);
    return stat(path.s, &st) == 0 ? (long)st.st_size : -1;
}

static int
list_one(const struct queue_entry *e, void *vctx)
{
    struct list_ctx *c = vctx;
    struct arena *a = arena_create();
    struct spool_msg m;
    struct gstr err;
    long dsize, size = 0;
    int rc, read_errno;

    gstr_init(&err, a);
    rc = spool_read_header(c->spool_dir, e->subdir != 0, e->id, a, &m, &err);
    read_errno = errno;
    if (rc == SPOOL_READ_NOTOPEN && read_errno == ENOENT && !c->listed) {
        arena_destroy(a); /* delivered while we were listing */
        return 0;
    }
    if (rc == SPOOL_READ_OK || rc == SPOOL_READ_HDRERROR) {
        dsize = file_size(c->spool_dir, e->subdir, e->id, "-D", a);
        if (dsize >= 0)
            size = (long)spool_msg_header_size(&m) + dsize -
                   (long)msgid_data_offset(e->id) + 1;
        (void)spool_read_journal(c->spool_dir, e->subdir != 0, e->id, &m, &err);
    }
    queue_format_message(c->out, &m, rc, e->id, size, c->now,
                         file_size(c->spool_dir, e->subdir, e->id, "-H", a),
                         strerror(read_errno), c->option);
    arena_destroy(a);
    return 0;
}

int
queue_list(struct gstr *out, const char *spool_dir, int split, time_t now,
           enum queue_list_option option, struct gstr *err)
{
    struct arena *a = arena_create();
    struct list_ctx c = {out, spool_dir, now, option, 0};
    int rc = spool_queue_scan(spool_dir, split, a, list_one, &c, err);

    arena_destroy(a);
    return rc < 0 ? -1 : 0;
}

int
queue_list_ids(struct gstr *out, const char *spool_dir, int split, time_t now,
               enum queue_list_option option, char *const *ids, int n)
{
    struct list_ctx c = {out, spool_dir, now, option, 1};

    for (int i = 0; i < n; i++) {
        struct queue_entry e;
        struct arena *a = arena_create();
        size_t len = strlen(ids[i]);

        if (len > MSGID_LEN)
            len = MSGID_LEN;
        memcpy(e.id, ids[i], len);
        e.id[len] = '\0';
        /* the layout the message is in, the configured one first */
        e.subdir = split ? msgid_split_char(e.id) : 0;
        if (file_size(spool_dir, e.subdir, e.id, "-H", a) < 0)
            e.subdir = split ? 0 : msgid_split_char(e.id);
        if (file_size(spool_dir, e.subdir, e.id, "-H", a) < 0)
            e.subdir = split ? msgid_split_char(e.id) : 0;
        arena_destroy(a);
        list_one(&e, &c);
    }
    return 0;
}
