/*++
 * NAME
 *	cli 3
 * SUMMARY
 *	-bp and the -M message actions
 * SYNOPSIS
 *	#include "receive/addr.h"
#include "spool/cli.h"
 *
 *	int	spool_cli_list(const char *flag, char **ids, int nids)
 *	int	spool_cli_is_action(const char *flag)
 *	int	spool_cli_action(const char *flag, char **ids, int nids)
 * DESCRIPTION
 *	The queue as Exim's command line shows and changes it, with
 *	Exim's texts (which go to the standard output, as Exim prints
 *	them):
 * .IP "-bp, -bpr, -bpu, -bpa, -bpi, -bpc"
 *	The listing (spool/queue_list): all recipients, only undelivered
 *	ones, with generated ones, only the ids, or just the count. With
 *	ids after the option only those messages are listed. The "r"
 *	(unsorted) forms list in queue order too.
 * .IP "-Mvh ID, -Mvb ID, -Mvl ID"
 *	Copy the -H file, the -D file (its "<id>-D" line included) or
 *	the message log to the standard output.
 * .IP "-Mf ID ..., -Mt ID ..."
 *	Freeze or thaw: under the message's lock, the -H is rewritten
 *	with -frozen (or without it and with -manual_thaw); "Message ID
 *	is now frozen" / "is no longer frozen" is printed and "ID frozen
 *	by USER" / "ID unfrozen by USER" logged.
 * .IP "-Mvc ID"
 *	Write the message (headers, blank line, body) to the standard
 *	output, as a transport would with nothing added.
 * .IP "-Mar ID ADDRESS ..., -Mes ID ADDRESS, -Mmd ID ADDRESS ..."
 *	Add recipients, change the sender, or mark recipients delivered
 *	(they become non-recipients). Each address must have a domain
 *	(-Mes also takes <>); "- error while adding recipient: ..." for
 *	one that has not, and nothing is changed. Logged "ID recipient
 *	<A> added by USER", "ID sender address changed to <A> by USER",
 *	"ID address <A> marked delivered by USER"; prints "Message ID has
 *	been modified".
 * .IP "-Mmad ID ..."
 *	Mark every recipient delivered, logging each as -Mmd does.
 * .IP "-Mrm ID ..."
 *	Remove the message's files (-D, -H, -J and the message log, in
 *	both spool layouts): "Message ID has been removed", and "ID
 *	removed by USER" and "ID Completed" in the main log.
 * DIAGNOSTICS
 *	As Exim: "Spool data file for ID does not exist" (and "ID Spool
 *	file ID-D not found" in the main log), "Message ID is
 *	locked", "Spool format error for ID-H", "Message ID is already
 *	frozen", "Failed to open input file for ID-H: <error>". The exit
 *	status is 1 when an action failed for any message. Ids are
 *	checked by the caller (main.c) before this is called.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "receive/addr.h"
#include "spool/cli.h"
#include "spool/envelope.h"
#include "spool/msgid.h"
#include "spool/queue_list.h"
#include "spool/spool_lock.h"
#include "spool/spool_path.h"
#include "spool/spool_read.h"
#include "spool/spool_write.h"

static const char *
spool_dir(void)
{
    return main_config.spool_directory;
}

int
spool_cli_is_list(const char *flag)
{
    static const char *const opts[] = {"",  "c",  "u",  "a", "i",
                                       "r", "ru", "ra", "ri"};

    if (strncmp(flag, "-bp", 3) != 0)
        return 0;
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strcmp(flag + 3, opts[i]) == 0)
            return 1;
    return 0;
}

/* Exim's check before any action: every id must be one. */
static int
ids_ok(const char *flag, char **ids, int nids, int need_one)
{
    struct arena *a = arena_create();
    gstr err;
    int ok = 1;

    gstr_init(&err, a);
    if (need_one && nids == 0) {
        fprintf(stderr, "mxlab: no message ids given after %s option\n", flag);
        ok = 0;
    }
    for (int i = 0; ok && i < nids; i++)
        if (spool_path_check_id(ids[i], &err) < 0) {
            fprintf(stderr, "mxlab: malformed message id %s after %s option\n",
                    ids[i], flag);
            ok = 0;
        }
    arena_destroy(a);
    return ok;
}

static int
print_id(const struct queue_entry *e, void *ctx)
{
    (void)ctx;
    printf("%s\n", e->id);
    return 0;
}

int
spool_cli_list(const char *flag, char **ids, int nids)
{
    struct arena *a = arena_create();
    const char *opt = flag + 3; /* after "-bp" */
    enum queue_list_option o = QUEUE_LIST_ALL;
    int split = main_config.split_spool_directory;
    gstr out, err;
    int rc = 0;

    if (!ids_ok(flag, ids, nids, 0)) {
        arena_destroy(a);
        return 1;
    }
    gstr_init(&out, a);
    gstr_init(&err, a);
    if (strcmp(opt, "c") == 0) {
        int n = spool_queue_count(spool_dir(), &err);
        if (n < 0)
            fprintf(stderr, "mxlab: %s\n", err.s);
        else
            printf("%d\n", n);
        arena_destroy(a);
        return n < 0;
    }
    if (*opt == 'r')
        opt++;
    if (strcmp(opt, "u") == 0)
        o = QUEUE_LIST_UNDELIVERED;
    else if (strcmp(opt, "a") == 0)
        o = QUEUE_LIST_PLUS_GENERATED;
    if (strcmp(opt, "i") == 0) {
        if (nids > 0)
            for (int i = 0; i < nids; i++)
                printf("%s\n", ids[i]);
        else if (spool_queue_scan(spool_dir(), split, a, print_id, NULL, &err) <
                 0)
            rc = -1;
    } else if (nids > 0)
        rc = queue_list_ids(&out, spool_dir(), split, time(NULL), o, ids, nids);
    else
        rc = queue_list(&out, spool_dir(), split, time(NULL), o, &err);
    if (rc < 0)
        fprintf(stderr, "mxlab: %s\n", gstr_str(&err));
    fwrite(out.s ? out.s : "", 1, out.len, stdout);
    arena_destroy(a);
    return rc < 0;
}

int
spool_cli_is_action(const char *flag)
{
    static const char *const actions[] = {"-Mvh", "-Mvb", "-Mvl", "-Mvc",
                                          "-Mrm", "-Mf",  "-Mt",  "-Mar",
                                          "-Mes", "-Mmd", "-Mmad"};

    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(flag, actions[i]) == 0)
            return 1;
    return 0;
}

static const char *
username(struct arena *a)
{
    struct passwd *pw = getpwuid(getuid());

    return pw ? arena_strdup(a, pw->pw_name)
              : arena_printf(a, "uid %ld", (long)getuid());
}

/* -Mvh, -Mvb, -Mvl: a file copied to stdout. */
static int
show_file(const char *id, const char *area, const char *suffix)
{
    struct arena *a = arena_create();
    int split = main_config.split_spool_directory;
    gstr path;
    int fd = -1;
    char buf[8192];
    ssize_t n;

    for (int i = 0; i < 2 && fd < 0; i++) {
        char sub = (i == 0) == (split != 0) ? msgid_split_char(id) : 0;
        gstr_init(&path, a);
        gstr_printf(&path, "%s/%s/", spool_dir(), area);
        if (sub)
            gstr_printf(&path, "%c/", sub);
        gstr_printf(&path, "%s%s", id, suffix);
        fd = open(path.s, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        printf("Failed to open %s file for %s%s: %s\n", area, id, suffix,
               strerror(errno));
        if (strcmp(area, "msglog") == 0 && !main_config.message_logs)
            printf("(No message logs are being created because the "
                   "message_logs option is false.)\n");
        arena_destroy(a);
        return 1;
    }
    fflush(stdout);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (write(1, buf, (size_t)n) != n)
            break;
    close(fd);
    arena_destroy(a);
    return 0;
}

/* -Mvc: the message as a transport writes it with no additions: its
 * headers (deleted ones left out), a blank line, the body. */
static void
show_copy(const struct spool_msg *m)
{
    gstr path;
    FILE *f;
    char buf[8192];
    size_t n;
    int first = 1;

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->type != '*')
            fwrite(h->text, 1, h->len, stdout);
    fputc('\n', stdout);
    gstr_init(&path, m->arena);
    spool_path_file(&path, spool_dir(), main_config.split_spool_directory, "",
                    m->id, "-D");
    if ((f = fopen(path.s, "r")) == NULL)
        return;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        const char *p = buf;
        if (first) { /* the "<id>-D" line is not the message's */
            const char *nl = memchr(buf, '\n', n);
            if (nl == NULL)
                break;
            n -= (size_t)(nl + 1 - buf);
            p = nl + 1;
            first = 0;
        }
        fwrite(p, 1, n, stdout);
    }
    fclose(f);
    fflush(stdout);
}

/* -Mar, -Mes, -Mmd: each address is checked as Exim does (it must have
 * a domain; -Mes also takes <>), applied to m, and logged; the -H file
 * is rewritten only if all were good. Returns 1 if anything failed. */
static int
do_edit(const char *flag, struct spool_msg *m, char **addrs, int naddrs,
        const char *user)
{
    const char *doing = strcmp(flag, "-Mes") == 0   ? "editing sender"
                        : strcmp(flag, "-Mar") == 0 ? "adding recipient"
                                                    : "marking as delivered";
    int failed = 0;
    gstr err;

    if (flag[2] == 'e' && naddrs > 1) {
        printf("- only one sender address can be specified\n");
        return 1;
    }
    if (naddrs == 0) {
        printf("- error while %s: no address given\n", doing);
        return 1;
    }
    for (int i = 0; i < naddrs; i++) {
        int has_domain = 0;
        const char *why = NULL;
        char *addr = addr_extract(m->arena, addrs[i], strlen(addrs[i]),
                                  &has_domain, &why);

        if (addr == NULL || (addr[0] == '\0' && flag[2] != 'e')) {
            printf("- error while %s:\n  bad address %s: %s\n", doing, addrs[i],
                   why ? why : "empty address");
            failed = 1;
        } else if (addr[0] != '\0' && !has_domain) {
            printf("- error while %s:\n  bad address %s: domain missing\n",
                   doing, addrs[i]);
            failed = 1;
        } else if (flag[2] == 'a') {
            spool_msg_add_rcpt(m, addr);
            log_write(LOG_MAIN, "%s recipient <%s> added by %s", m->id, addr,
                      user);
        } else if (flag[2] == 'm') {
            int found = 0;
            for (int r = 0; r < m->rcpt_count && !found; r++)
                found = strcmp(m->rcpts[r].address, addr) == 0;
            if (!found) {
                printf("- error while %s:\n  %s is not a recipient: message "
                       "not updated\n",
                       doing, addr);
                failed = 1;
            } else {
                spool_msg_add_nonrcpt(m, addr);
                log_write(LOG_MAIN, "%s address <%s> marked delivered by %s",
                          m->id, addr, user);
            }
        } else {
            m->sender = addr;
            log_write(LOG_MAIN, "%s sender address changed to <%s> by %s",
                      m->id, addr, user);
        }
    }
    if (failed)
        return 1;
    gstr_init(&err, m->arena);
    if (spool_rewrite_header(spool_dir(), main_config.split_spool_directory, m,
                             &err) < 0) {
        printf("- while %s: %s\n", doing, err.s);
        return 1;
    }
    printf("has been modified\n");
    return 0;
}

/* -Mmad: every recipient becomes a non-recipient. */
static int
do_mark_all(struct spool_msg *m, const char *user)
{
    gstr err;

    for (int r = 0; r < m->rcpt_count; r++)
        spool_msg_add_nonrcpt(m, m->rcpts[r].address);
    gstr_init(&err, m->arena);
    if (spool_rewrite_header(spool_dir(), main_config.split_spool_directory, m,
                             &err) < 0) {
        printf("- could not mark all delivered: %s\n", err.s);
        return 1;
    }
    printf("has been modified\n");
    for (int r = 0; r < m->rcpt_count; r++)
        log_write(LOG_MAIN, "%s address <%s> marked delivered by %s", m->id,
                  m->rcpts[r].address, user);
    return 0;
}

/* Unlinks spool_dir/area/[c/]<id><suffix>; 1 if a file went, 0 if
 * there was none, -1 on error (printed). */
static int
remove_one(struct arena *a, const char *area, char sub, const char *id,
           const char *suffix)
{
    gstr path;

    gstr_init(&path, a);
    gstr_printf(&path, "%s/%s/", spool_dir(), area);
    if (sub)
        gstr_printf(&path, "%c/", sub);
    gstr_printf(&path, "%s%s", id, suffix);
    if (unlink(path.s) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    printf("Error while removing %s: %s\n", path.s, strerror(errno));
    return -1;
}

static int
do_remove(struct arena *a, const char *id, int locked, const char *user)
{
    static const char *const suffixes[] = {"-D", "-H", "-J"};
    int removed = 0, failed = 0;

    for (int j = 0; j < 2; j++) {
        char sub = j == 0 ? msgid_split_char(id) : 0;
        int r = remove_one(a, "msglog", sub, id, "");
        removed |= r > 0;
        failed |= r < 0;
        for (int i = 0; i < 3; i++) {
            r = remove_one(a, "input", sub, id, suffixes[i]);
            removed |= r > 0;
            failed |= r < 0;
        }
    }
    printf(locked ? "has been removed\n"
                  : "has been removed or did not exist\n");
    if (removed) {
        log_write(LOG_MAIN, "%s removed by %s", id, user);
        log_write(LOG_MAIN, "%s Completed", id);
    }
    return failed;
}

static int
do_freeze(const char *id, struct spool_msg *m, int freeze, const char *user)
{
    gstr err;

    if (freeze ? m->frozen : !m->frozen) {
        printf(freeze ? "is already frozen\n" : "is not frozen\n");
        return 1;
    }
    m->frozen = freeze;
    m->manual_thaw = !freeze;
    if (freeze)
        m->frozen_at = time(NULL);
    gstr_init(&err, m->arena);
    if (spool_rewrite_header(spool_dir(), main_config.split_spool_directory, m,
                             &err) < 0) {
        printf("could not be %s: %s\n", freeze ? "frozen" : "unfrozen", err.s);
        return 1;
    }
    printf(freeze ? "is now frozen\n" : "is no longer frozen\n");
    log_write(LOG_MAIN, "%s %s by %s", id, freeze ? "frozen" : "unfrozen",
              user);
    return 0;
}

/* One message of -Mrm, -Mf or -Mt: lock, read, act, as Exim's
 * queue_action() does. */
static int
act_on(const char *flag, const char *id, char **addrs, int naddrs)
{
    struct arena *a = arena_create();
    int split = main_config.split_spool_directory;
    int removing = strcmp(flag, "-Mrm") == 0;
    int fd = -1, failed = 0;
    struct spool_msg m;
    gstr err;
    enum spool_lock_result lr;

    gstr_init(&err, a);
    lr = spool_lock_open(spool_dir(), split, id, &fd, &err);
    if (lr != SPOOL_LOCK_OK) {
        failed = 1;
        if (lr == SPOOL_LOCK_MISSING) {
            log_write(LOG_MAIN, "%s Spool file %s-D not found", id, id);
            printf("Spool data file for %s does not exist\n", id);
        } else if (lr == SPOOL_LOCK_BUSY)
            printf("Message %s is locked\n", id);
        else
            printf("Couldn't open spool file for %s: %s\n", id,
                   strerror(errno));
        if (!removing || lr != SPOOL_LOCK_MISSING) {
            arena_destroy(a);
            return 1;
        }
        printf("Continuing, to ensure all files removed\n");
    }
    int rc = spool_read_header(spool_dir(), split, id, a, &m, &err);
    if (rc != SPOOL_READ_OK) {
        failed = 1;
        if (rc == SPOOL_READ_NOTOPEN)
            printf("Spool read error for %s-H: %s\n", id, strerror(errno));
        else
            printf("Spool format error for %s-H\n", id);
        if (!removing) {
            spool_lock_release(fd);
            arena_destroy(a);
            return 1;
        }
        printf("Continuing to ensure all files removed\n");
    }
    if (strcmp(flag, "-Mvc") == 0) {
        show_copy(&m);
        spool_lock_release(fd);
        arena_destroy(a);
        return 0;
    }
    printf("Message %s ", id);
    if (removing)
        failed |= do_remove(a, id, fd >= 0, username(a));
    else if (strcmp(flag, "-Mmad") == 0)
        failed |= do_mark_all(&m, username(a));
    else if (strcmp(flag, "-Mar") == 0 || strcmp(flag, "-Mes") == 0 ||
             strcmp(flag, "-Mmd") == 0)
        failed |= do_edit(flag, &m, addrs, naddrs, username(a));
    else
        failed |= do_freeze(id, &m, strcmp(flag, "-Mf") == 0, username(a));
    if (fd >= 0)
        spool_lock_release(fd);
    arena_destroy(a);
    return failed;
}

int
spool_cli_action(const char *flag, char **ids, int nids)
{
    int status = 0;

    /* -Mar, -Mes and -Mmd take one id, then addresses */
    if (strcmp(flag, "-Mar") == 0 || strcmp(flag, "-Mes") == 0 ||
        strcmp(flag, "-Mmd") == 0) {
        if (!ids_ok(flag, ids, nids > 0 ? 1 : 0, 1))
            return 1;
        return act_on(flag, ids[0], ids + 1, nids - 1);
    }
    if (!ids_ok(flag, ids, nids, 1))
        return 1;
    if (strcmp(flag, "-Mvc") == 0) {
        if (nids > 1) {
            printf("*** Only one message can be listed at once\n");
            return 1;
        }
        return act_on(flag, ids[0], NULL, 0);
    }
    if (strncmp(flag, "-Mv", 3) == 0) {
        if (nids > 1) {
            printf("*** Only one message can be listed at once\n");
            return 1;
        }
        if (flag[3] == 'h')
            return show_file(ids[0], "input", "-H");
        if (flag[3] == 'b')
            return show_file(ids[0], "input", "-D");
        return show_file(ids[0], "msglog", "");
    }
    for (int i = 0; i < nids; i++)
        if (act_on(flag, ids[i], NULL, 0) != 0)
            status = 1;
    /* Exim ends the report of a list action other than -Mrm, -Mf and
     * -Mt with an empty line. */
    if (strcmp(flag, "-Mmad") == 0)
        printf("\n");
    return status;
}
