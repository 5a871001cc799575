/*++
 * NAME
 *	tree 3
 * SUMMARY
 *	Exim's balanced binary trees
 * SYNOPSIS
 *	#include "spool/tree.h"
 *
 *	int	tree_insert(struct tree_node **root, struct tree_node *node)
 *	int	tree_add(struct tree_node **root, struct arena *a,
 *			const char *name, void *value)
 *	struct tree_node *tree_search(struct tree_node *root,
 *			const char *name)
 *	int	tree_count(const struct tree_node *root)
 *	void	tree_rebalance_fields(struct tree_node *root)
 *	void	tree_write(gstr *out, const struct tree_node *root)
 *	void	tree_walk(struct tree_node *root,
 *			void (*fn)(struct tree_node *, void *), void *ctx)
 * DESCRIPTION
 *	The -H file stores the addresses already delivered as a balanced
 *	binary tree written in pre-order, its shape being whatever Exim's
 *	AVL insertion (Knuth vol. 3, p. 455) made of the insertions in
 *	their order. To write files line for line as Exim does, mxlab keeps
 *	that tree and inserts with the same algorithm; names compare with
 *	strcmp(). tree_rebalance_fields() restores balance factors after a
 *	tree has been read back (the file does not hold them), as Exim's
 *	count_below() does. The same trees order ACL variables when a -H is
 *	written: Exim writes them by walking its variable trees.
 * DIAGNOSTICS
 *	A tree whose balance fields are inconsistent (read from a damaged
 *	file) is left unbalanced rather than followed into a NULL pointer,
 *	as in Exim.
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/tree.h"

#define LBAL  1
#define RBAL  2
#define BMASK 3

/* Rotations once s, the deepest node with a non-zero balance on the
 * path, has become out of balance in direction a; r is its child on
 * the path. Returns the new subtree root. */
static struct tree_node *
tree_rotate(struct tree_node *s, struct tree_node *r, int a)
{
    struct tree_node *p;

    if (r->balance == a) {
        p = r;
        if (a == RBAL) {
            s->right = r->left;
            r->left = s;
        } else {
            s->left = r->right;
            r->right = s;
        }
        s->balance = 0;
        r->balance = 0;
        return p;
    }
    if (a == RBAL) {
        if (r->left == NULL)
            return NULL;
        p = r->left;
        r->left = p->right;
        p->right = r;
        s->right = p->left;
        p->left = s;
    } else {
        if (r->right == NULL)
            return NULL;
        p = r->right;
        r->right = p->left;
        p->left = r;
        s->left = p->right;
        p->right = s;
    }
    s->balance = p->balance == a ? (unsigned char)(a ^ BMASK) : 0;
    r->balance = p->balance == (a ^ BMASK) ? (unsigned char)a : 0;
    p->balance = 0;
    return p;
}

int
tree_insert(struct tree_node **root, struct tree_node *node)
{
    struct tree_node *p = *root, **q, **t, *s, *r;
    int a;

    node->left = node->right = NULL;
    node->balance = 0;
    if (p == NULL) {
        *root = node;
        return 1;
    }
    q = t = root;
    for (;;) {
        int c = strcmp(node->name, p->name);

        if (c == 0)
            return 0;
        q = c > 0 ? &p->right : &p->left;
        p = *q;
        if (p == NULL)
            break;
        if (p->balance != 0)
            t = q;
    }
    *q = node;
    s = *t;
    r = strcmp(node->name, s->name) > 0 ? s->right : s->left;
    for (p = r; p != node;) {
        if (strcmp(node->name, p->name) < 0) {
            p->balance = LBAL;
            p = p->left;
        } else {
            p->balance = RBAL;
            p = p->right;
        }
    }
    a = strcmp(node->name, s->name) < 0 ? LBAL : RBAL;
    if (s->balance == 0)
        s->balance = (unsigned char)a;
    else if (s->balance != a)
        s->balance = 0;
    else if ((p = tree_rotate(s, r, a)) != NULL)
        *t = p;
    return 1;
}

int
tree_add(struct tree_node **root, struct arena *a, const char *name,
         void *value)
{
    struct tree_node *n;

    if (tree_search(*root, name) != NULL)
        return 0;
    n = arena_alloc(a, sizeof(*n));
    n->name = arena_strdup(a, name);
    n->value = value;
    return tree_insert(root, n);
}

struct tree_node *
tree_search(struct tree_node *p, const char *name)
{
    while (p != NULL) {
        int c = strcmp(name, p->name);

        if (c == 0)
            return p;
        p = c < 0 ? p->left : p->right;
    }
    return NULL;
}

int
tree_count(const struct tree_node *p)
{
    return p == NULL ? 0 : 1 + tree_count(p->left) + tree_count(p->right);
}

static int
depth_fix(struct tree_node *p)
{
    int l, r;

    if (p == NULL)
        return 0;
    l = depth_fix(p->left);
    r = depth_fix(p->right);
    p->balance = l > r ? LBAL : r > l ? RBAL : 0;
    return 1 + (l > r ? l : r);
}

void
tree_rebalance_fields(struct tree_node *root)
{
    (void)depth_fix(root);
}

static void
write_node(struct gstr *out, const struct tree_node *p)
{
    gstr_addc(out, p->left ? 'Y' : 'N');
    gstr_addc(out, p->right ? 'Y' : 'N');
    gstr_addc(out, ' ');
    for (const char *c = p->name; *c; c++)
        gstr_addc(out, *c == '\n' ? ' ' : *c); /* a line per node */
    gstr_addc(out, '\n');
    if (p->left)
        write_node(out, p->left);
    if (p->right)
        write_node(out, p->right);
}

void
tree_write(struct gstr *out, const struct tree_node *root)
{
    if (root == NULL)
        gstr_adds(out, "XX\n");
    else
        write_node(out, root);
}

void
tree_walk(struct tree_node *p, void (*fn)(struct tree_node *, void *),
          void *ctx)
{
    if (p == NULL)
        return;
    fn(p, ctx);
    tree_walk(p->left, fn, ctx);
    tree_walk(p->right, fn, ctx);
}
