/*
 * NAME
 *	verify - collect, normalise and check a scenario's outputs
 * SYNOPSIS
 *	#include "runctx.h"
 *
 *	void	verify_outputs(struct run *r, struct result *res);
 * DESCRIPTION
 *	verify_outputs() collects the outputs the scenario expects,
 *	normalises them, and compares them with the golden files (or,
 *	with --update, writes them there).
 *
 *	Outputs are normalised in a fixed order, the main log first
 *	whether or not it is expected, then stdout, stderr, transcript,
 *	rejectlog, paniclog and the file: outputs as listed: message ids
 *	are numbered in order of first appearance, and the main log lists
 *	messages in the order they were received.
 * DIAGNOSTICS
 *	res->status becomes RESULT_FAIL on a difference (diffs in
 *	res->detail), RESULT_UPDATED when --update changed a file.
 */

#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "mem.h"
#include "msg.h"
#include "normalise.h"
#include "result.h"
#include "run.h"
#include "runctx.h"

/* ---------- outputs ---------- */

/* Normalisation order: the main log first, so ids number as received. */
static const char *const verify_order[] = {
    "mainlog", "stdout", "stderr", "transcript", "rejectlog", "paniclog",
};

static int
verify_expect_index(const struct run *r, const char *name)
{
    for (size_t i = 0; i < r->scn.expects.n; i++)
        if (strcmp(r->scn.expects.v[i], name) == 0)
            return (int)i;
    return -1;
}

static void
verify_collect_one(struct run *r, struct norm *n, const char *name,
                   struct golden_item *items)
{
    int i = verify_expect_index(r, name);
    struct buf text = BUF_INIT;

    output_collect(name, r->dir, &r->streams, &text);
    norm_apply(n, &text);
    if (i >= 0) {
        buf_free(&items[i].text);
        items[i].text = text;
    } else {
        buf_free(&text);
    }
}

static void
verify_collect(struct run *r, struct norm *n, struct golden_item *items)
{
    const struct strvec *ex = &r->scn.expects;

    for (size_t i = 0; i < ex->n; i++) {
        struct buf name = BUF_INIT;

        output_golden_name(ex->v[i], &name);
        items[i].name = buf_steal(&name);
        buf_init(&items[i].text);
    }
    for (size_t i = 0; i < sizeof(verify_order) / sizeof(char *); i++)
        if (i == 0 || verify_expect_index(r, verify_order[i]) >= 0)
            verify_collect_one(r, n, verify_order[i], items);
    for (size_t i = 0; i < ex->n; i++)
        if (strncmp(ex->v[i], "file:", 5) == 0)
            verify_collect_one(r, n, ex->v[i], items);
}

static void
verify_norm_params(const struct run *r, struct norm_params *p)
{
    memset(p, 0, sizeof(*p));
    p->dir = r->dir;
    p->mta = r->opts->mta;
    p->srcdir = r->opts->srcdir;
    for (int i = 0; i < 3; i++)
        p->ports[i] = r->ports[i];
    p->epoch_lo = r->clock.earliest;
    p->epoch_hi = fakeclock_latest(&r->clock);
    p->mta_user = r->opts->mta_user;
    p->mta_uid = r->opts->mta_uid;
    p->mta_gid = r->opts->mta_gid;
}

/* Compare (or update) the outputs; set res->status. */
void
verify_outputs(struct run *r, struct result *res)
{
    size_t n = r->scn.expects.n;
    struct golden_item *items = mem_array(n, sizeof(*items));
    struct norm_params params;
    struct norm *norm;
    int changed;

    verify_norm_params(r, &params);
    if ((norm = norm_create(&params, &res->detail)) == NULL)
        msg_fatal("%s", buf_str(&res->detail));
    verify_collect(r, norm, items);
    if (!r->opts->update) {
        if (golden_compare(r->golden_dir, items, n,
                           r->opts->foreign ? norm_foreign : NULL,
                           &res->detail) < 0)
            res->status = RESULT_FAIL;
    } else if ((changed =
                    golden_update(r->golden_dir, items, n, &res->detail)) < 0) {
        res->status = RESULT_FAIL;
    } else if (changed > 0) {
        res->status = RESULT_UPDATED;
    }
    for (size_t i = 0; i < n; i++) {
        free(items[i].name);
        buf_free(&items[i].text);
    }
    free(items);
    norm_free(norm);
}
