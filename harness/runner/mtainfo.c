/*
 * NAME
 *	mtainfo - what the MTA under test was built with, from its -bV
 * SYNOPSIS
 *	#include "mtainfo.h"
 *
 *	int	mta_info_load(struct mta_info *mi, const char *mta,
 *				struct buf *err);
 *	int	mta_info_parse(struct mta_info *mi, const char *text);
 *	int	mta_info_kind_known(const char *kind);
 *	int	mta_info_meets(const struct mta_info *mi, const char *kind,
 *				const char *name, struct buf *why);
 *	void	mta_info_free(struct mta_info *mi);
 * DESCRIPTION
 *	A scenario can say what it needs of the MTA, the way Exim's own
 *	test suite does ("requires support Experimental_XCLIENT",
 *	"requires authenticator dovecot", "requires mxlab"). The answers
 *	come from the MTA's -bV, run once per runner run.
 *
 *	mta_info_load() runs "MTA -C /dev/null -bV" (at most 30 s, with
 *	the runner's environment) and parses what it prints with
 *	mta_info_parse(): the first line is the version line ("mxlab
 *	version ..." or "Exim version ..."; mxlab's starts "mxlab "); the lines
 *"Support for:", "Authenticators:", "Routers:", "Transports:" and "Lookups
 *	(built-in):" list words. A transport listed as
 *	"appendfile/maildir" counts as appendfile and as
 *	appendfile/maildir.
 *
 *	mta_info_kind_known() says whether KIND is one of "support",
 *	"authenticator", "router", "transport", "lookup", "mxlab" or "exim".
 *
 *	mta_info_meets() answers one need: KIND and NAME (NAME unused for
 *	"mxlab"). Names compare exactly ("Experimental_XCLIENT",
 *	"dovecot").
 * DIAGNOSTICS
 *	mta_info_load() returns -1 with a reason in err when the MTA
 *	cannot be run, does not end within 30 s, or prints no version
 *	line (its stdout is empty); mi is then empty and every need except a
 *program is unmet. mta_info_meets() returns 1 when met, else 0 with the reason
 *in why ("requires support Experimental_XCLIENT, not in the MTA's -bV").
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "mem.h"
#include "mtainfo.h"
#include "proc.h"

#define MTA_INFO_MS 30000

extern char **environ;

static const struct mta_list_line {
    const char *prefix;
    size_t offset; /* of the strvec in struct mta_info */
    const char *kind;
} mta_lines[] = {
    {"Support for:", offsetof(struct mta_info, support), "support"},
    {"Authenticators:", offsetof(struct mta_info, authenticators),
     "authenticator"},
    {"Routers:", offsetof(struct mta_info, routers), "router"},
    {"Transports:", offsetof(struct mta_info, transports), "transport"},
    {"Lookups (built-in):", offsetof(struct mta_info, lookups), "lookup"},
};

#define MTA_NLINES (sizeof(mta_lines) / sizeof(*mta_lines))

static struct strvec *
mta_list(const struct mta_info *mi, size_t i)
{
    return (struct strvec *)((char *)mi + mta_lines[i].offset);
}

static void
mta_add_words(struct strvec *sv, const char *s, size_t len)
{
    const char *end = s + len;

    while (s < end) {
        size_t n;

        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        for (n = 0; s + n < end && s[n] != ' ' && s[n] != '\t'; n++)
            ;
        if (n > 0) {
            char *word = mem_strndup(s, n);
            char *slash = strchr(word, '/');

            strvec_push(sv, word);
            /* appendfile/maildir is an appendfile too */
            if (slash != NULL) {
                *slash = '\0';
                strvec_push(sv, word);
            }
            free(word);
        }
        s += n;
    }
}

int
mta_info_parse(struct mta_info *mi, const char *text)
{
    const char *line = text;
    int first = 1;

    while (*line != '\0') {
        size_t len = strcspn(line, "\n");

        if (first) {
            mi->version = mem_strndup(line, len);
            mi->is_mxlab = strncmp(line, "mxlab ", 6) == 0;
            mi->is_exim = strncmp(line, "Exim version ", 13) == 0;
            mi->loaded = len > 0;
            first = 0;
        }
        for (size_t i = 0; i < MTA_NLINES; i++) {
            size_t plen = strlen(mta_lines[i].prefix);

            if (len >= plen && strncmp(line, mta_lines[i].prefix, plen) == 0)
                mta_add_words(mta_list(mi, i), line + plen, len - plen);
        }
        line += len + (line[len] == '\n');
    }
    return mi->loaded ? 0 : -1;
}

int
mta_info_load(struct mta_info *mi, const char *mta, struct buf *err)
{
    char *argv[] = {(char *)mta, "-C", "/dev/null", "-bV", NULL};
    struct proc_spec spec = {mta, argv, environ, NULL, -1, -1, -1};
    struct buf out = BUF_INIT;
    struct buf errout = BUF_INIT;
    struct proc_io io = {-1, NULL, 0, -1, &out, -1, &errout};
    struct deadline dl;
    int po[2];
    int pe[2];
    int status = 0;
    pid_t pid;
    int rc = -1;

    memset(mi, 0, sizeof(*mi));
    if (proc_pipe(po) < 0 || proc_pipe(pe) < 0) {
        buf_puts(err, "cannot make a pipe for the MTA's -bV");
        return -1;
    }
    spec.fd_out = po[1];
    spec.fd_err = pe[1];
    pid = proc_spawn(&spec, err);
    close(po[1]);
    close(pe[1]);
    io.fd_out = po[0];
    io.fd_err = pe[0];
    if (pid >= 0) {
        deadline_set(&dl, MTA_INFO_MS);
        if (proc_pump(pid, &io, &dl, &status) != PROC_EXITED)
            buf_printf(err, "%s -bV did not end within %d s", mta,
                       MTA_INFO_MS / 1000);
        else if ((rc = mta_info_parse(mi, buf_str(&out))) < 0)
            buf_printf(err, "%s -C /dev/null -bV printed no version line", mta);
    } else {
        close(po[0]);
        close(pe[0]);
    }
    buf_free(&out);
    buf_free(&errout);
    return rc;
}

int
mta_info_kind_known(const char *kind)
{
    if (strcmp(kind, "mxlab") == 0 || strcmp(kind, "exim") == 0)
        return 1;
    for (size_t i = 0; i < MTA_NLINES; i++)
        if (strcmp(kind, mta_lines[i].kind) == 0)
            return 1;
    return 0;
}

int
mta_info_meets(const struct mta_info *mi, const char *kind, const char *name,
               struct buf *why)
{
    if (strcmp(kind, "mxlab") == 0) {
        if (mi->is_mxlab)
            return 1;
        buf_puts(why, "requires mxlab, the MTA is not mxlab");
        return 0;
    }
    /* For the few deliberate differences: the scenario that shows what
     * Exim does, beside the one that shows what mxlab does. */
    if (strcmp(kind, "exim") == 0) {
        if (mi->is_exim)
            return 1;
        buf_puts(why, "requires exim, the MTA is not Exim");
        return 0;
    }
    for (size_t i = 0; i < MTA_NLINES; i++) {
        if (strcmp(kind, mta_lines[i].kind) != 0)
            continue;
        if (strvec_contains(mta_list(mi, i), name))
            return 1;
        buf_printf(why, "requires %s %s, not in the MTA's -bV", kind, name);
        return 0;
    }
    buf_printf(why, "requires %s: unknown kind", kind);
    return 0;
}

void
mta_info_free(struct mta_info *mi)
{
    free(mi->version);
    for (size_t i = 0; i < MTA_NLINES; i++)
        strvec_free(mta_list(mi, i));
    memset(mi, 0, sizeof(*mi));
}
