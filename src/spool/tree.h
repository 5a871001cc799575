/* tree.h: Exim's balanced binary trees of names, as the spool stores
 * them (the non-recipients tree; the order ACL variables are written). */
#ifndef MXLAB_SPOOL_TREE_H
#define MXLAB_SPOOL_TREE_H

struct arena;
struct gstr;

struct tree_node {
    struct tree_node *left;
    struct tree_node *right;
    unsigned char balance; /* 0, 1 left deeper, 2 right deeper */
    const char *name;
    void *value;
};

/* Inserts node (name and value set) as Exim's tree_insertnode() does.
 * Returns 1, or 0 for a duplicate name (node not linked in). */
int tree_insert(struct tree_node **root, struct tree_node *node);
/* Allocates a node for name (copied) and inserts it; 1 added, 0 known. */
int tree_add(struct tree_node **root, struct arena *a, const char *name,
             void *value);
struct tree_node *tree_search(struct tree_node *root, const char *name);
/* Number of nodes. */
int tree_count(const struct tree_node *root);
/* Recomputes balance fields from depths, as Exim does after reading. */
void tree_rebalance_fields(struct tree_node *root);
/* Appends the spool form: "XX\n" when empty, else one "<L><R> name\n"
 * line per node in pre-order, L and R "Y" or "N" for child present. */
void tree_write(struct gstr *out, const struct tree_node *root);
/* Calls fn for each node in pre-order (the order tree_write uses). */
void tree_walk(struct tree_node *root,
               void (*fn)(struct tree_node *node, void *ctx), void *ctx);

#endif
