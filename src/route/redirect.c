/*++
 * NAME
 *	redirect 3
 * SUMMARY
 *	the redirect router
 * SYNOPSIS
 *	#include "route/redirect.h"
 *
 *	extern const struct driver_info router_redirect_info;
 *	extern const struct route_driver route_redirect_driver;
 *
 *	enum route_rc redirect_parse(struct route_call *c,
 *			const char *data, int depth)
 * DESCRIPTION
 *	The redirect router takes its list from "data" (expanded) or from
 *	"file" (the name expanded; a missing file declines; one with a mode
 *	bit of modemask set, by default group- or world-writable, defers).
 *	The list is
 *	Exim's: items separated by commas or newlines, "#" lines are
 *	comments, an item may be quoted ("a b"@x, "|cmd, arg"). Items:
 * .IP "local@domain, local"
 *	A new address, qualified with qualify_domain (expanded), the
 *	incoming domain under qualify_preserve_domain, or
 *	qualify_recipient. A leading backslash is dropped. Under rewrite
 *	(the default) the rewrite rules for envelope recipients (T) then
 *	apply to it, as in Exim.
 * .IP :blackhole:
 *	Discard the address; the delivery logs "=> :blackhole: <addr>
 *	R=router". Not with forbid_blackhole.
 * .IP ":fail: text, :defer: text"
 *	Fail or defer the address with the rest of the data as the
 *	message (allow_fail, allow_defer).
 * .IP :unknown:
 *	Ignored.
 * .IP :include:/path
 *	The file's lines are read as more items (not with forbid_include).
 * .IP "|command, /path, /path/"
 *	A pipe, file or directory delivery by pipe_transport,
 *	file_transport or directory_transport; the child is not routed
 *	again (not with forbid_pipe, forbid_file).
 *
 *	Nothing generated (an empty list) declines. Children keep a link
 *	to their parent (address_child()). Under check_ancestor an
 *	address that is one of the incoming address's ancestors is
 *	replaced by the incoming address itself, which the loop check
 *	then sends past this router.
 * DIAGNOSTICS
 *	A special item that is not allowed, a bad include file or an
 *	unknown transport defer the address with "error in redirect
 *	data: ..." (or "file"), as Exim does; a file refused by modemask
 *	"bad mode (0MODE) for FILE: 0BITS bit(s) unexpected".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "rewrite/rewrite.h"
#include "route/route_drivers.h"
#include "route/router.h"

#include "route/redirect.h"

static const struct opt_def router_redirect_defs[] = {
    {"allow_defer", OPT_BOOL, offsetof(struct router_redirect, allow_defer), 0},
    {"allow_fail", OPT_BOOL, offsetof(struct router_redirect, allow_fail), 0},
    {"allow_filter", OPT_BOOL, offsetof(struct router_redirect, allow_filter),
     OPT_UNIMPL},
    {"allow_freeze", OPT_BOOL, offsetof(struct router_redirect, allow_freeze),
     OPT_UNIMPL},
    {"check_ancestor", OPT_BOOL,
     offsetof(struct router_redirect, check_ancestor), 0},
    {"check_group", OPT_BOOL, offsetof(struct router_redirect, check_group),
     OPT_UNIMPL},
    {"check_owner", OPT_BOOL, offsetof(struct router_redirect, check_owner),
     OPT_UNIMPL},
    {"data", OPT_EXPANDED, offsetof(struct router_redirect, data), 0},
    {"directory_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, directory_transport), 0},
    {"file", OPT_EXPANDED, offsetof(struct router_redirect, file), 0},
    {"file_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, file_transport), 0},
    {"forbid_blackhole", OPT_BOOL,
     offsetof(struct router_redirect, forbid_blackhole), 0},
    {"forbid_file", OPT_BOOL, offsetof(struct router_redirect, forbid_file), 0},
    {"forbid_include", OPT_BOOL,
     offsetof(struct router_redirect, forbid_include), 0},
    {"forbid_pipe", OPT_BOOL, offsetof(struct router_redirect, forbid_pipe), 0},
    {"hide_child_in_errmsg", OPT_BOOL,
     offsetof(struct router_redirect, hide_child_in_errmsg), OPT_UNIMPL},
    {"ignore_eacces", OPT_BOOL, offsetof(struct router_redirect, ignore_eacces),
     0},
    {"ignore_enotdir", OPT_BOOL,
     offsetof(struct router_redirect, ignore_enotdir), 0},
    {"include_directory", OPT_STRING,
     offsetof(struct router_redirect, include_directory), OPT_UNIMPL},
    {"modemask", OPT_OCTAL, offsetof(struct router_redirect, modemask), 0},
    {"one_time", OPT_BOOL, offsetof(struct router_redirect, one_time),
     OPT_UNIMPL},
    {"owners", OPT_LIST, offsetof(struct router_redirect, owners), OPT_UNIMPL},
    {"owngroups", OPT_LIST, offsetof(struct router_redirect, owngroups),
     OPT_UNIMPL},
    {"pipe_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, pipe_transport), 0},
    {"qualify_domain", OPT_EXPANDED,
     offsetof(struct router_redirect, qualify_domain), 0},
    {"qualify_preserve_domain", OPT_BOOL,
     offsetof(struct router_redirect, qualify_preserve_domain), 0},
    {"reply_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, reply_transport), OPT_UNIMPL},
    {"rewrite", OPT_BOOL, offsetof(struct router_redirect, rewrite), 0},
    {"skip_syntax_errors", OPT_BOOL,
     offsetof(struct router_redirect, skip_syntax_errors), OPT_UNIMPL},
    {"syntax_errors_text", OPT_EXPANDED,
     offsetof(struct router_redirect, syntax_errors_text), OPT_UNIMPL},
    {"syntax_errors_to", OPT_STRING,
     offsetof(struct router_redirect, syntax_errors_to), OPT_UNIMPL},
};

static const struct router_redirect router_redirect_defaults = {
    .modemask = 022,
    .rewrite = 1,
};

const struct driver_info router_redirect_info = {
    "redirect",
    OPT_TABLE("redirect", router_redirect_defs, struct router_redirect,
              &router_redirect_defaults),
    router_check_generic,
};

#define INCLUDE_DEPTH_MAX 10

static const struct router_redirect *
rd_opts(const struct route_call *c)
{
    return c->router->priv;
}

/* Reads a whole file; NULL with errno set. */
static char *
rd_read_file(struct arena *a, const char *path)
{
    gstr g;
    char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return NULL;
    gstr_init(&g, a);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        gstr_addn(&g, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return NULL;
    return g.s;
}

static enum route_rc
rd_error(struct route_call *c, const char *text)
{
    const struct router_redirect *o = rd_opts(c);

    c->a->message = arena_printf(c->rc->arena, "error in redirect %s: %s",
                                 o->data ? "data" : "file", text);
    c->a->basic_errno = -17; /* Exim's ERRNO_BADREDIRECT */
    return ROUTE_DEFER;
}

/* One item, from *pp, into an arena string; *pp moves past it. Quotes
 * are kept (they are part of a local part) except around a whole pipe
 * or file item. */
static char *
rd_next_item(struct arena *a, const char **pp)
{
    const char *p = *pp;
    gstr item;
    int inq = 0, angle = 0;

    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n' || *p == '\r')
            p++;
        if (*p != '#')
            break;
        while (*p != '\0' && *p != '\n')
            p++;
    }
    if (*p == '\0') {
        *pp = p;
        return NULL;
    }
    gstr_init(&item, a);
    for (; *p != '\0'; p++) {
        if (inq) {
            if (*p == '\\' && p[1] != '\0')
                gstr_addc(&item, *p++);
            else if (*p == '"')
                inq = 0;
        } else if (*p == '"') {
            inq = 1;
        } else if (*p == '<') {
            angle++;
        } else if (*p == '>' && angle > 0) {
            angle--;
        } else if ((*p == ',' && angle == 0) || *p == '\n') {
            break;
        }
        gstr_addc(&item, *p);
    }
    *pp = p;
    while (item.len > 0 &&
           (item.s[item.len - 1] == ' ' || item.s[item.len - 1] == '\t' ||
            item.s[item.len - 1] == '\r'))
        gstr_truncate(&item, item.len - 1);
    /* "|cmd, arg" or "/a file": the quotes go */
    if (item.len >= 2 && item.s[0] == '"' && item.s[item.len - 1] == '"' &&
        (item.s[1] == '|' || item.s[1] == '/'))
        return arena_strndup(a, item.s + 1, item.len - 2);
    return item.s;
}

/* "Name <a@b>" -> "a@b". */
static char *
rd_route_addr(struct arena *a, char *item)
{
    char *lt = strrchr(item, '<'), *gt;

    if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
        return item;
    return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
}

static const char *
rd_qualify_domain(struct route_call *c)
{
    const struct router_redirect *o = rd_opts(c);
    char *q;

    if (o->qualify_preserve_domain)
        return c->a->domain;
    if (o->qualify_domain != NULL &&
        route_expand(c, "qualify_domain", o->qualify_domain, &q, NULL) == 0)
        return q;
    return main_config.qualify_recipient ? main_config.qualify_recipient
                                         : main_config.qualify_domain;
}

/* The transport option for a pipe, file or directory child. */
static int
rd_child_transport(struct route_call *c, struct address *child,
                   const char *opt_name, const char *opt)
{
    char *name;

    child->router = c->router;
    if (opt == NULL) {
        child->message = arena_printf(c->rc->arena, "%s router: %s is unset",
                                      c->router->name, opt_name);
        return 0; /* the delivery defers it */
    }
    if (route_expand(c, opt_name, opt, &name, NULL) < 0)
        return -1;
    child->transport = route_find_transport(name);
    if (child->transport == NULL)
        child->message =
            arena_printf(c->rc->arena, "%s transport %s not found in %s router",
                         opt_name, name, c->router->name);
    return 0;
}

static void
rd_append(struct route_call *c, struct address *child)
{
    struct address **pp = c->children;

    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = child;
}

static enum route_rc
rd_special(struct route_call *c, const char *item, const char *rest)
{
    const struct router_redirect *o = rd_opts(c);
    size_t n = strcspn(item, "\n");
    enum route_rc rc;
    int allowed;
    char *text;
    size_t len;

    if (strncmp(item, ":blackhole:", 11) == 0) {
        rc = ROUTE_DISCARD;
        allowed = !o->forbid_blackhole;
    } else if (strncmp(item, ":fail:", 6) == 0) {
        rc = ROUTE_FAIL;
        allowed = o->allow_fail;
    } else {
        rc = ROUTE_DEFER;
        allowed = o->allow_defer;
    }
    if (!allowed)
        return rd_error(c,
                        arena_printf(c->rc->arena, "\"%.*s\" is not permitted",
                                     (int)n, item));
    rest = strchr(rest + 1, ':') + 1;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    len = strlen(rest);
    while (len > 0 && rest[len - 1] == '\n')
        len--;
    text = arena_strndup(c->rc->arena, rest, len);
    if (rc == ROUTE_DISCARD)
        return rc;
    /* As Exim: the text, even when empty (a bare ":fail:" logs and
     * reports an empty error; Exim's "forced rejection" is for a NULL
     * one, which a redirect list never gives), may go to the sender. */
    c->a->message = text;
    c->a->user_message = c->a->message;
    c->a->flags |= ADDR_PASS_MSG;
    return rc;
}

static enum route_rc
rd_include(struct route_call *c, const char *path, int depth)
{
    const struct router_redirect *o = rd_opts(c);
    char *text;

    if (o->forbid_include)
        return rd_error(c, "included files not permitted");
    if (*path != '/')
        return rd_error(c, arena_printf(c->rc->arena,
                                        "included file %s is not an absolute "
                                        "path",
                                        path));
    if (depth >= INCLUDE_DEPTH_MAX)
        return rd_error(c, "too many nested :include: files");
    if ((text = rd_read_file(c->rc->arena, path)) == NULL)
        return rd_error(c, arena_printf(c->rc->arena,
                                        "failed to open included file %s: %s",
                                        path, strerror(errno)));
    return redirect_parse(c, text, depth + 1);
}

static enum route_rc
rd_pfr(struct route_call *c, const char *item)
{
    const struct router_redirect *o = rd_opts(c);
    struct address *child;
    size_t n = strlen(item);

    /* As Exim, a forbidden pipe or file is generated all the same, and
     * fails when it comes to be delivered (-bt shows it "forbidden"). */
    if (item[0] == '|') {
        child =
            address_child(c->rc->arena, c->a, item,
                          ADDR_PIPE | (o->forbid_pipe ? ADDR_FORBIDDEN : 0));
        if (rd_child_transport(c, child, "pipe_transport", o->pipe_transport))
            return ROUTE_DEFER;
    } else {
        int dir = item[n - 1] == '/';
        child = address_child(c->rc->arena, c->a, item,
                              (dir ? ADDR_DIRECTORY : ADDR_FILE) |
                                  (o->forbid_file ? ADDR_FORBIDDEN : 0));
        if (rd_child_transport(
                c, child, dir ? "directory_transport" : "file_transport",
                dir ? o->directory_transport : o->file_transport))
            return ROUTE_DEFER;
    }
    rd_append(c, child);
    return ROUTE_REROUTED;
}

enum route_rc
redirect_parse(struct route_call *c, const char *data, int depth)
{
    const char *p = data;
    const char *start;
    char *item;
    int generated = 0;
    enum route_rc rc;

    for (;;) {
        start = p;
        while (*start == ' ' || *start == '\t' || *start == ',' ||
               *start == '\n' || *start == '\r')
            start++;
        if ((item = rd_next_item(c->rc->arena, &p)) == NULL)
            break;
        if (strcmp(item, ":unknown:") == 0)
            continue;
        if (strncmp(item, ":blackhole:", 11) == 0 ||
            strncmp(item, ":fail:", 6) == 0 || strncmp(item, ":defer:", 7) == 0)
            return rd_special(c, item, start);
        if (strncmp(item, ":include:", 9) == 0) {
            rc = rd_include(c, item + 9, depth);
            if (rc == ROUTE_REROUTED) {
                generated = 1;
                continue;
            }
            if (rc == ROUTE_DECLINE)
                continue;
            return rc;
        }
        if (item[0] == '|' || item[0] == '/') {
            if ((rc = rd_pfr(c, item)) != ROUTE_REROUTED)
                return rc;
            generated = 1;
            continue;
        }
        item = rd_route_addr(c->rc->arena, item);
        if (item[0] == '\\')
            item++;
        if (*item == '\0')
            continue;
        if (strchr(item, '@') == NULL)
            item =
                arena_printf(c->rc->arena, "%s@%s", item, rd_qualify_domain(c));
        /* rewrite (the default): the T rules of "begin rewrite" */
        if (rd_opts(c)->rewrite && c->rc->x != NULL) {
            const char *rw =
                rewrite_one(c->rc->x, rewrite_global(), item, RW_ENVTO, NULL);
            if (rw != item)
                item = arena_strdup(c->rc->arena, rw);
        }
        /* check_ancestor: a way back to an ancestor means this address */
        if (rd_opts(c)->check_ancestor && c->a->parent != NULL &&
            address_is_ancestor(c->a->parent, item)) {
            struct address *orig = address_child(c->rc->arena, c->a, item, 0);
            struct address *copy =
                address_child(c->rc->arena, c->a, c->a->address, 0);
            /* as Exim, outside a delivery the copy keeps the generated
             * address as its key (-bt's duplicates) */
            if (c->rc->mode != ROUTE_DELIVER)
                copy->unique = orig->address;
            rd_append(c, copy);
            generated = 1;
            continue;
        }
        rd_append(c, address_child(c->rc->arena, c->a, item, 0));
        generated = 1;
    }
    return generated ? ROUTE_REROUTED : ROUTE_DECLINE;
}

/* modemask, as Exim's rda.c: a file with any of those mode bits (by
 * default one that group or others may write) is not used. */
static int
rd_bad_mode(struct route_call *c, const char *path)
{
    const struct router_redirect *o = rd_opts(c);
    struct stat st;

    if (stat(path, &st) != 0 || (st.st_mode & (mode_t)o->modemask) == 0)
        return 0; /* a missing file is the reader's business */
    c->a->message = arena_printf(c->rc->arena,
                                 "bad mode (0%o) for %s: 0%o bit(s) unexpected",
                                 (unsigned)st.st_mode, path,
                                 (unsigned)(st.st_mode & (mode_t)o->modemask));
    c->a->basic_errno = -1;
    return 1;
}

static enum route_rc
redirect_route(struct route_call *c)
{
    const struct router_redirect *o = rd_opts(c);
    char *data, *path;
    int forced;

    if (o->data != NULL) {
        if (route_expand(c, "data", o->data, &data, &forced) < 0)
            return forced ? ROUTE_DECLINE : ROUTE_DEFER;
    } else if (o->file != NULL) {
        if (route_expand(c, "file", o->file, &path, &forced) < 0)
            return forced ? ROUTE_DECLINE : ROUTE_DEFER;
        if (rd_bad_mode(c, path))
            return ROUTE_DEFER;
        if ((data = rd_read_file(c->rc->arena, path)) == NULL) {
            if (errno == ENOENT || (errno == ENOTDIR && o->ignore_enotdir) ||
                (errno == EACCES && o->ignore_eacces))
                return ROUTE_DECLINE;
            c->a->message =
                arena_printf(c->rc->arena, "failed to open %s (%s router): %s",
                             path, c->router->name, strerror(errno));
            return ROUTE_DEFER;
        }
    } else {
        return ROUTE_DECLINE;
    }
    return redirect_parse(c, data, 0);
}

const struct route_driver route_redirect_driver = {"redirect", redirect_route};
