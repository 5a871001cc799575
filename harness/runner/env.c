/*
 * NAME
 *	env - the environment of a scenario's children
 * SYNOPSIS
 *	#include "env.h"
 *
 *	void	env_build(const struct env_params *p, struct strvec *out);
 * DESCRIPTION
 *	env_build() appends to out (as NAME=VALUE strings) the runner's
 *	own environment with these changes:
 *
 *	TZ=UTC, LC_ALL=C and HOME=$DIR; LANG, LANGUAGE and other LC_*
 *	variables are dropped.
 *
 *	DIR, PORT, PORT2, PORT3, MTA, SRCDIR and BUILD: the values the
 *	scenario's $NAMES stand for.
 *
 *	LD_PRELOAD: libfaketime first, then whatever the runner had.
 *	FAKETIME: the scenario clock's offset (see fakeclock.c), with
 *	FAKETIME_DONT_FAKE_MONOTONIC=1 and DONT_FAKE_MONOTONIC=1 so that
 *	time-outs measured on the monotonic clock are real ones.  Other
 *	FAKETIME* variables of the runner are dropped.
 *
 *	ASAN_OPTIONS gets verify_asan_link_order=0:detect_leaks=1 added
 *	(libfaketime is preloaded ahead of the sanitizer runtime, which
 *	would otherwise refuse to start), UBSAN_OPTIONS gets
 *	print_stacktrace=1:halt_on_error=1; options the runner's
 *	environment had come first, so these win.
 * DIAGNOSTICS
 *	None.
 */

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "env.h"
#include "fakeclock.h"
#include "strvec.h"
#include "subst.h"

extern char **environ;

static const char *const env_replaced[] = {
    "TZ",           "LC_ALL",        "HOME",
    "LANG",         "LANGUAGE",      "LD_PRELOAD",
    "ASAN_OPTIONS", "UBSAN_OPTIONS", "DONT_FAKE_MONOTONIC",
};

static int
env_name_is(const char *entry, const char *name)
{
    size_t len = strlen(name);

    return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

static int
env_is_replaced(const char *entry)
{
    if (strncmp(entry, "LC_", 3) == 0 || strncmp(entry, "FAKETIME", 8) == 0)
        return 1;
    for (size_t i = 0; i < sizeof(env_replaced) / sizeof(*env_replaced); i++)
        if (env_name_is(entry, env_replaced[i]))
            return 1;
    for (int i = 0; i < SUBST_COUNT; i++)
        if (env_name_is(entry, subst_name((enum subst_var)i)))
            return 1;
    return 0;
}

static void
env_push(struct strvec *out, const char *name, const char *value)
{
    struct buf b = BUF_INIT;

    buf_printf(&b, "%s=%s", name, value);
    strvec_push_take(out, buf_steal(&b));
}

/* NAME=old:extra, or NAME=extra when the runner had no NAME. */
static void
env_push_joined(struct strvec *out, const char *name, const char *extra,
                char sep)
{
    const char *old = getenv(name);
    struct buf b = BUF_INIT;

    if (old != NULL && *old != '\0')
        buf_printf(&b, "%s%c", old, sep);
    buf_puts(&b, extra);
    env_push(out, name, buf_str(&b));
    buf_free(&b);
}

static void
env_push_preload(struct strvec *out, const char *lib)
{
    const char *old = getenv("LD_PRELOAD");
    struct buf b = BUF_INIT;

    buf_puts(&b, lib);
    if (old != NULL && *old != '\0')
        buf_printf(&b, ":%s", old);
    env_push(out, "LD_PRELOAD", buf_str(&b));
    buf_free(&b);
}

void
env_build(const struct env_params *p, struct strvec *out)
{
    struct buf spec = BUF_INIT;

    for (char **e = environ; *e != NULL; e++)
        if (!env_is_replaced(*e))
            strvec_push(out, *e);
    env_push(out, "TZ", "UTC");
    env_push(out, "LC_ALL", "C");
    env_push(out, "HOME", p->vars->value[SUBST_DIR]);
    for (int i = 0; i < SUBST_COUNT; i++)
        if (p->vars->value[i] != NULL)
            env_push(out, subst_name((enum subst_var)i), p->vars->value[i]);
    if (p->faketime_lib != NULL)
        env_push_preload(out, p->faketime_lib);
    fakeclock_spec(p->clock, &spec);
    env_push(out, "FAKETIME", buf_str(&spec));
    env_push(out, "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    env_push(out, "DONT_FAKE_MONOTONIC", "1");
    env_push_joined(out, "ASAN_OPTIONS",
                    "verify_asan_link_order=0:detect_leaks=1", ':');
    env_push_joined(out, "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1",
                    ':');
    buf_free(&spec);
}
