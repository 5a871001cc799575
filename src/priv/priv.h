/* priv.h: the users mxlab runs as (Exim's exim_user, never_users), and
 * the changes of user that a root caller's processes make. */
#ifndef MXLAB_PRIV_PRIV_H
#define MXLAB_PRIV_PRIV_H

#include <sys/types.h>

struct gstr;

/* Once, after the configuration is read: records the caller (real uid
 * and gid at start) and looks up exim_user and exim_group. 0, or -1
 * with err set when mxlab runs as root and they cannot be found. */
int priv_init(struct gstr *err);

/* A user or group named, as Exim's options take them, by name or by
 * number: 0 with the id (and for a user its passwd entry in *pw, NULL
 * for a number that has none), or -1 for a name that is not found. */
struct passwd;
int priv_find_user(const char *s, uid_t *uid, struct passwd **pw);
int priv_find_group(const char *s, gid_t *gid);

/* 1 when the caller is root, so that this process can change users. */
int priv_is_root(void);
/* The caller's real uid and gid at start (for U=, $caller_uid). */
uid_t priv_caller_uid(void);
gid_t priv_caller_gid(void);
const char *priv_caller_login(void);
/* The exim user's uid and gid (the caller's own when not found). */
uid_t priv_exim_uid(void);
gid_t priv_exim_gid(void);

/* For root's processes that must keep the power to change users (the
 * daemon, delivery, queue runs): the effective uid and gid become the
 * exim user's, real and saved stay root. No-op when not root. */
void priv_lower(void);
/* Effective uid and gid back to root, for a bind() or a fork that
 * changes user; priv_lower() undoes it. No-op when not root. */
void priv_raise(void);

/* For good: real, effective and saved ids become uid and gid (and the
 * supplementary groups those of initgroups_user, or gid alone), then
 * checks that they did and that root cannot be regained. 0, or -1
 * with err set. Needs root (raised or lowered). */
int priv_become(uid_t uid, gid_t gid, const char *initgroups_user,
                struct gstr *err);
/* priv_become() to the exim user; logs to the main and panic logs and
 * exits when that fails. No-op when not root. */
void priv_drop(void);

/* Root only: creates spool_directory (and what is missing above it)
 * owned by the exim user, unless it exists. */
void priv_make_spool(void);

/* Whether uid may not be used for a delivery: "never_users" (the
 * option), "fixed_never_users" (root, always), or NULL. */
const char *priv_never_list(uid_t uid);

#endif
