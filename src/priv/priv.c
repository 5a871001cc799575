/*++
 * NAME
 *	priv 3
 * SUMMARY
 *	the users mxlab runs as
 * SYNOPSIS
 *	#include "priv/priv.h"
 *
 *	int	priv_init(gstr *err)
 *	int	priv_is_root(void)
 *	uid_t	priv_caller_uid(void)
 *	gid_t	priv_caller_gid(void)
 *	const char *priv_caller_login(void)
 *	uid_t	priv_exim_uid(void)
 *	gid_t	priv_exim_gid(void)
 *	void	priv_lower(void)
 *	void	priv_raise(void)
 *	int	priv_become(uid_t uid, gid_t gid,
 *			const char *initgroups_user, gstr *err)
 *	void	priv_drop(void)
 *	void	priv_make_spool(void)
 *	const char *priv_never_list(uid_t uid)
 * DESCRIPTION
 *	As Exim: when root starts mxlab, nothing that handles mail runs
 *	as root. exim_user and exim_group (default "mxlab", a system user
 *	that ci/install-deps.sh creates; exim_group defaults to the exim
 *	user's login group when only exim_user is set) name the user.
 *
 *	mxlab is not setuid. A process that may have to start others as
 *	other users (the daemon, which binds its ports and forks the
 *	session processes; delivery and queue runs, which start local
 *	deliveries as the transport's user) runs "lowered": effective
 *	uid and gid are the exim user's, so that everything it creates
 *	(spool files, logs, the hints database) belongs to that user, and
 *	only the real and saved uids stay root. priv_raise() gives back
 *	root for a bind() or a fork that is to change user.
 *
 *	A process that reads from a client (an SMTP session of the
 *	daemon, -bs, -bh, local submission) drops for good with
 *	priv_drop() before it reads a byte: real, effective and saved
 *	ids become the exim user's, supplementary groups just exim_group,
 *	and it checks that setuid(0) now fails. priv_become() does the
 *	same for any user (local deliveries).
 *
 *	priv_make_spool() creates spool_directory, and each missing
 *	directory above it, as root, owned by the exim user (mode 0750),
 *	for the processes that will write there without root. The
 *	directories inside the spool (input, msglog, db, log) are made
 *	later by those processes, and so are the exim user's too.
 *
 *	priv_caller_login() is the caller's login name, looked up once in a
 *	process (and inherited by the processes it forks: a daemon looks
 *	it up before it serves a connection), or NULL if the user has no
 *	name. A message's -H names it.
 *
 *	priv_never_list() is Exim's never_users check: uid 0 is always
 *	refused (Exim's FIXED_NEVER_USERS "root"), and so is every user
 *	the never_users option lists (names or numbers).
 *
 *	When the caller is not root nothing changes: every process runs
 *	as the caller.
 *
 *	In a sanitizer build a process that dropped for good is made
 *	dumpable again, and a lowered one raises itself at exit, so that
 *	LeakSanitizer can still inspect it.
 * DIAGNOSTICS
 *	priv_init(): "exim_user \"x\" is not a user on this machine" (or
 *	exim_group, "... a group ..."), with the configuration's
 *	file:line when the option was set there; only when running as
 *	root; "exim_user: refusing to run with uid 0 for \"x\"", as
 *	Exim. priv_become(): "unable to set gid=G or uid=U (euid=E):
 *	reason", as Exim words it, or "uid U could regain root after
 *	dropping privilege". priv_drop() writes that to the main and
 *	panic logs and exits with status 1.
 *--*/

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "priv/priv.h"

#if defined(__SANITIZE_ADDRESS__)
#define PRIV_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRIV_SANITIZER 1
#endif
#endif

static uid_t caller_uid;
static gid_t caller_gid;
static uid_t exim_uid;
static gid_t exim_gid;
static int is_root;

static int
all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int
priv_find_user(const char *s, uid_t *uid, struct passwd **pw)
{
    int number = all_digits(s);

    *pw = number ? getpwuid((uid_t)strtoul(s, NULL, 10)) : getpwnam(s);
    if (*pw == NULL && !number)
        return -1;
    *uid = *pw ? (*pw)->pw_uid : (uid_t)strtoul(s, NULL, 10);
    return 0;
}

int
priv_find_group(const char *s, gid_t *gid)
{
    int number = all_digits(s);
    struct group *gr =
        number ? getgrgid((gid_t)strtoul(s, NULL, 10)) : getgrnam(s);

    if (gr == NULL && !number)
        return -1;
    *gid = gr ? gr->gr_gid : (gid_t)strtoul(s, NULL, 10);
    return 0;
}

static void
not_found(struct gstr *err, const char *option, const char *kind,
          const char *value)
{
    const char *file;
    int line;

    if (conf_option_origin(option, &file, &line) == 0)
        gstr_printf(err, "%s:%d: ", file, line);
    gstr_printf(err, "%s \"%s\" is not a %s on this machine", option, value,
                kind);
}

int
priv_init(struct gstr *err)
{
    const char *user = main_config.exim_user;
    const char *group = main_config.exim_group;
    const char *file;
    int line, group_set;
    struct passwd *pw;
    struct group *gr;

    caller_uid = exim_uid = getuid();
    caller_gid = exim_gid = getgid();
    is_root = caller_uid == 0;
    if (user == NULL || *user == '\0')
        user = EXIM_USER;
    group_set = group != NULL && *group != '\0' &&
                (conf_option_origin("exim_group", &file, &line) == 0 ||
                 conf_option_origin("exim_user", &file, &line) < 0);
    if (priv_find_user(user, &exim_uid, &pw) < 0) {
        if (!is_root)
            return 0;
        not_found(err, "exim_user", "user", user);
        return -1;
    }
    exim_gid = pw ? pw->pw_gid : exim_gid;
    if (exim_uid == 0 && is_root) {
        if (conf_option_origin("exim_user", &file, &line) == 0)
            gstr_printf(err, "%s:%d: ", file, line);
        gstr_printf(err, "exim_user: refusing to run with uid 0 for \"%s\"",
                    user);
        return -1;
    }
    if (!group_set) { /* the exim user's login group, as -bP shows it */
        if ((gr = getgrgid(exim_gid)) != NULL)
            main_config.exim_group = arena_strdup(arena_perm, gr->gr_name);
        return 0;
    }
    if (priv_find_group(group, &exim_gid) < 0) {
        if (!is_root)
            return 0;
        not_found(err, "exim_group", "group", group);
        return -1;
    }
    return 0;
}

int
priv_is_root(void)
{
    return is_root;
}

uid_t
priv_caller_uid(void)
{
    return caller_uid;
}

gid_t
priv_caller_gid(void)
{
    return caller_gid;
}

const char *
priv_caller_login(void)
{
    static char *login;
    static uid_t login_uid;
    static int looked_up;

    if (!looked_up || login_uid != caller_uid) {
        struct passwd *pw = getpwuid(caller_uid);

        free(login);
        login = pw != NULL ? strdup(pw->pw_name) : NULL;
        login_uid = caller_uid;
        looked_up = 1;
    }
    return login;
}

uid_t
priv_exim_uid(void)
{
    return exim_uid;
}

gid_t
priv_exim_gid(void)
{
    return exim_gid;
}

/* The programs a process starts after a change of user run as that
 * user, and cannot open what belongs to the old one. libfaketime (which
 * the scenario runner preloads) shares its clock through memory that the
 * first process made, owner-only, and names it in FAKETIME_SHARED: a
 * program that finds it there and cannot open it exits. Without it, the
 * program makes its own. */
static void
forget_old_user(void)
{
    unsetenv("FAKETIME_SHARED");
}

#ifdef PRIV_SANITIZER
static void
raise_at_exit(void)
{
    priv_raise();
}
#endif

void
priv_lower(void)
{
#ifdef PRIV_SANITIZER
    static int registered;
#endif

    if (!is_root || geteuid() == exim_uid)
        return;
    if (setgroups(1, &exim_gid) < 0 || setegid(exim_gid) < 0 ||
        seteuid(exim_uid) < 0) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "unable to set egid=%ld or euid=%ld: %s", (long)exim_gid,
                  (long)exim_uid, strerror(errno));
        exit(1);
    }
    forget_old_user();
#ifdef PRIV_SANITIZER
    if (!registered++)
        atexit(raise_at_exit);
#endif
}

void
priv_raise(void)
{
    if (!is_root || geteuid() == 0)
        return;
    if (seteuid(0) < 0 || setegid(0) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "unable to regain root: %s",
                  strerror(errno));
        exit(1);
    }
}

int
priv_become(uid_t uid, gid_t gid, const char *initgroups_user, struct gstr *err)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    if (geteuid() != 0 && getuid() == 0 && seteuid(0) < 0)
        goto failed;
    if ((initgroups_user != NULL ? initgroups(initgroups_user, gid)
                                 : setgroups(1, &gid)) < 0 ||
        setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
        goto failed;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
        ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
        sg != gid) {
        errno = EPERM;
        goto failed;
    }
    forget_old_user();
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        gstr_printf(err, "uid %ld could regain root after dropping privilege",
                    (long)uid);
        return -1;
    }
    is_root = 0; /* no way back: lowering and raising are no-ops now */
#ifdef PRIV_SANITIZER
    (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
    return 0;
failed:
    gstr_printf(err, "unable to set gid=%ld or uid=%ld (euid=%ld): %s",
                (long)gid, (long)uid, (long)geteuid(), strerror(errno));
    return -1;
}

void
priv_drop(void)
{
    struct arena *a;
    gstr err;

    if (!is_root)
        return;
    a = arena_create();
    gstr_init(&err, a);
    if (priv_become(exim_uid, exim_gid, NULL, &err) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
        exit(1);
    }
    arena_destroy(a);
}

void
priv_make_spool(void)
{
    char path[4096];
    size_t n = strlen(main_config.spool_directory);
    struct stat st;

    if (!is_root || n == 0 || n >= sizeof(path) ||
        stat(main_config.spool_directory, &st) == 0)
        return;
    memcpy(path, main_config.spool_directory, n + 1);
    priv_raise();
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char save = *p;
        *p = '\0';
        if (mkdir(path, 0750) == 0 && chown(path, exim_uid, exim_gid) < 0)
            log_write(LOG_MAIN | LOG_PANIC, "cannot give %s to uid %ld: %s",
                      path, (long)exim_uid, strerror(errno));
        *p = save;
        if (save == '\0')
            break;
    }
    priv_lower();
}

const char *
priv_never_list(uid_t uid)
{
    struct list_iter it;
    struct arena *a;
    const char *found = NULL;
    char *item;

    if (main_config.never_users != NULL) {
        a = arena_create();
        list_iter_init(&it, main_config.never_users, ':');
        while (found == NULL && (item = list_next(&it, a)) != NULL) {
            struct passwd *pw;
            if (all_digits(item))
                found = (uid_t)strtoul(item, NULL, 10) == uid ? "never_users"
                                                              : NULL;
            else if ((pw = getpwnam(item)) != NULL && pw->pw_uid == uid)
                found = "never_users";
        }
        arena_destroy(a);
    }
    if (found == NULL && uid == 0)
        found = "fixed_never_users";
    return found;
}
