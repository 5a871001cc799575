/*++
 * NAME
 *	retry_wait 3
 * SUMMARY
 *	which messages wait for a host (Exim's wait-<transport> hints)
 * SYNOPSIS
 *	#include "retry/retry.h"
 *
 *	void	retry_wait_add(const char *tp, const struct host_item *hosts)
 *	int	retry_wait_take(const char *tp, const char *host)
 *	int	retry_wait_others(const char *tp, const char *host)
 * DESCRIPTION
 *	Exim sends a message down a connection kept from an earlier one
 *	only if the message was waiting for that host: the smtp
 *	transport records a message for each host of its list when it
 *	ends with addresses deferred (or when a -qq first pass routed
 *	them without delivering), and after a delivery it keeps the
 *	connection open only if another message is recorded for the host.
 *	A message never tried before does not ride on another's
 *	connection. These functions keep that record for the message
 *	being delivered (retry_run_begin()), in the retry database under
 *	the key "W:<transport>:<host name>", whose text is the message
 *	ids, oldest first, separated by spaces (the oldest are dropped
 *	when the text is full).
 *
 *	retry_wait_add() records the message for each host of the list
 *	(one record per host name), unless a host deferred the message
 *	itself (a 4xx to MAIL or DATA), as Exim does.
 *
 *	retry_wait_take() says whether the message is recorded for the
 *	host, and takes it out of the record.
 *
 *	retry_wait_others() says whether another message that is still on
 *	the spool is recorded for the host.
 *
 *	Outside a delivery, or without a database, nothing waits.
 *--*/

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "retry/retry.h"
#include "retry/retry_db.h"
#include "route/address.h"

static void
wait_key(gstr *k, const char *tp, const char *host)
{
    gstr_printf(k, "W:%s:%s", tp, host);
}

/* Is id (of len bytes) a word of text? Its offset, or -1. */
static long
find_id(const char *text, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = text; (p = strstr(p, id)) != NULL; p += n)
        if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return p - text;
    return -1;
}

void
retry_wait_add(const char *tp, const struct host_item *hosts)
{
    struct retry_db *db = retry_shared_db();
    const char *id = retry_current_msgid();
    struct arena *a;

    if (db == NULL || id == NULL || retry_message_specific())
        return;
    a = arena_create();
    for (const struct host_item *h = hosts; h != NULL; h = h->next) {
        struct retry_rec r;
        gstr k;
        size_t n = strlen(id);

        if (h->name == NULL)
            continue;
        gstr_init(&k, a);
        wait_key(&k, tp, h->name);
        if (!retry_db_get(db, gstr_str(&k), &r))
            memset(&r, 0, sizeof(r));
        if (find_id(r.text, id) >= 0)
            continue;
        /* drop the oldest ids until the new one fits */
        size_t len = strlen(r.text);
        while (len > 0 && len + n + 1 > RETRY_TEXT_MAX) {
            char *sp = strchr(r.text, ' ');
            size_t cut = sp ? (size_t)(sp - r.text) + 1 : len;
            memmove(r.text, r.text + cut, len - cut + 1);
            len -= cut;
        }
        if (len > 0)
            r.text[len++] = ' ';
        memcpy(r.text + len, id, n + 1);
        r.time_stamp = time(NULL);
        (void)retry_db_put(db, gstr_str(&k), &r);
    }
    arena_destroy(a);
}

int
retry_wait_take(const char *tp, const char *host)
{
    struct retry_db *db = retry_shared_db();
    const char *id = retry_current_msgid();
    struct arena *a;
    struct retry_rec r;
    gstr k;
    long at;

    if (db == NULL || id == NULL || host == NULL)
        return 0;
    a = arena_create();
    gstr_init(&k, a);
    wait_key(&k, tp, host);
    if (!retry_db_get(db, gstr_str(&k), &r) || (at = find_id(r.text, id)) < 0) {
        arena_destroy(a);
        return 0;
    }
    /* the id and one space beside it */
    size_t n = strlen(id), from = (size_t)at, len = n;
    if (r.text[from + n] == ' ')
        len++;
    else if (from > 0) {
        from--;
        len++;
    }
    memmove(r.text + from, r.text + from + len,
            strlen(r.text + from + len) + 1);
    if (r.text[0] == '\0')
        (void)retry_db_del(db, gstr_str(&k));
    else
        (void)retry_db_put(db, gstr_str(&k), &r);
    arena_destroy(a);
    return 1;
}

/* Is message id on the spool (flat or split)? */
static int
on_spool(struct arena *a, const char *id)
{
    struct stat st;
    char *p = arena_printf(a, "%s/input/%s-H", main_config.spool_directory, id);

    if (stat(p, &st) == 0)
        return 1;
    if (strlen(id) < 6)
        return 0;
    p = arena_printf(a, "%s/input/%c/%s-H", main_config.spool_directory, id[5],
                     id);
    return stat(p, &st) == 0;
}

int
retry_wait_others(const char *tp, const char *host)
{
    struct retry_db *db = retry_shared_db();
    const char *id = retry_current_msgid();
    struct arena *a;
    struct retry_rec r;
    gstr k;
    int found = 0;

    if (db == NULL || id == NULL || host == NULL)
        return 0;
    a = arena_create();
    gstr_init(&k, a);
    wait_key(&k, tp, host);
    if (retry_db_get(db, gstr_str(&k), &r)) {
        char *save = NULL;
        for (char *w = strtok_r(r.text, " ", &save); w != NULL && !found;
             w = strtok_r(NULL, " ", &save))
            found = strcmp(w, id) != 0 && on_spool(a, w);
    }
    arena_destroy(a);
    return found;
}
