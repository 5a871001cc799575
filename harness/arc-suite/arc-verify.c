/*++
 * NAME
 *	arc-verify 1
 * SUMMARY
 *	run mxlab's ARC verifier over one message (the arc-suite driver)
 * SYNOPSIS
 *	arc-verify RECORDS < MESSAGE
 * DESCRIPTION
 *	Reads a message on standard input (LF or CRLF line ends), feeds
 *	it line by line to the ARC verifier of src/arc/ as the SMTP
 *	server does, and prints the outcome as one line: the state
 *	("pass", "fail" or "none"), a tab, and $arc_state_reason.
 *
 *	Key records come from the file RECORDS, one per line: the name
 *	(for example "dummy._domainkey.example.org"), a tab, the TXT
 *	value. A name that is not there has no record.
 * DIAGNOSTICS
 *	Exit status 2 and a message on standard error for a file that
 *	cannot be read.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc/arc.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim.h"

struct rec {
    char *name, *value;
};
static struct rec *recs;
static size_t nrecs;

static const char *
lookup(struct arena *a, const char *name)
{
    size_t n = strlen(name);

    if (n > 0 && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < nrecs; i++)
        if (strlen(recs[i].name) == n &&
            strncasecmp(recs[i].name, name, n) == 0)
            return arena_strdup(a, recs[i].value);
    return NULL;
}

static void
read_records(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        char *tab;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if ((tab = strchr(line, '\t')) == NULL)
            continue;
        *tab = '\0';
        recs = realloc(recs, (nrecs + 1) * sizeof(*recs));
        if (recs == NULL)
            exit(2);
        recs[nrecs].name = strdup(line);
        recs[nrecs].value = strdup(tab + 1);
        nrecs++;
    }
    free(line);
    fclose(f);
}

int
main(int argc, char **argv)
{
    struct arena *a;
    struct arc_verify *v;
    struct arc_result r;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    if (argc != 2) {
        fprintf(stderr, "usage: arc-verify RECORDS < MESSAGE\n");
        return 2;
    }
    read_records(argv[1]);
    dkim_txt_hook = lookup;
    a = arena_create();
    v = arc_verify_start(a);
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        arc_verify_line(v, line, (size_t)len);
    }
    free(line);
    arc_verify_free(v);
    arc_verify_finish(v, &r);
    printf("%s\t%s\n", r.state, r.reason ? r.reason : "");
    arena_destroy(a);
    return 0;
}
