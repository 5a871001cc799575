/*++
 * NAME
 *	registry 3
 * SUMMARY
 *	what is built in
 * SYNOPSIS
 *	#include "registry.h"
 *
 *	extern const struct feature *const registry_features[];
 *	extern const struct driver_class router_class, transport_class,
 *				auth_class;
 *	extern const char *const registry_lookups[];
 *	extern const struct route_feature *const registry_route_features[];
 *
 *	void	registry_smtp_init(void)
 *	void	registry_acl_init(void)
 *	void	registry_before_commit(struct receive *r,
 *			const struct acl_state *st)
 *	void	registry_session_reset(void)
 * DESCRIPTION
 *	The single place that knows which experimental features this
 *	binary was built with (make EXPERIMENTAL_<NAME>=no leaves one
 *	out). Each feature is listed with its "Support for:" name, the
 *	_HAVE_ macro that .ifdef can test, and its main options; the
 *	driver classes list their drivers and the options features add to
 *	them. Everything else in the program asks the registry instead of
 *	testing the build flags itself.
 *
 *	registry_smtp_init() adds the features' SMTP commands and EHLO
 *	keywords; registry_acl_init() their ACL conditions, modifiers and
 *	controls (dkim, spf, dcc; bmi_optin, bmi_run) and the
 *	${authresults} hook, before the configuration's ACLs are checked.
 *	registry_before_commit() lets a feature scan a message just before
 *	it is accepted (Brightmail). registry_session_reset() makes the
 *	features forget what they keep about the last connection, before
 *	a daemon's session process serves another (ARC's verification,
 *	DCC's last answer). registry_route_features[] lists what
 *	features add to routing (Brightmail's preconditions and
 *	variables).
 *--*/

#include <stddef.h>

#include <string.h>

#include "auth/auth.h"
#include "auth/dovecot.h"
#include "auth/plaintext.h"
#include "base/arena.h"
#include "conf/conf.h"
#include "authres/authres.h"
#include "dkim/dkim_conf.h"
#include "dkim/dkim_sign.h"
#include "dkim/dkim_smtp.h"
#include "dkim/dkim_transport.h"
#include "spf/spf.h"
#include "spf/spf_conf.h"
#include "registry.h"
#include "route/accept.h"
#include "route/dnslookup.h"
#include "route/manualroute.h"
#include "route/redirect.h"
#include "route/router.h"
#include "transport/appendfile.h"
#include "transport/pipe.h"
#include "transport/smtp.h"
#include "transport/transport.h"
#ifdef EXPERIMENTAL_ARC
#include "arc/arc_conf.h"
#include "arc/arc_sign.h"
#include "arc/arc_smtp.h"
#endif
#ifdef EXPERIMENTAL_BMI
#include "bmi/bmi_acl.h"
#include "bmi/bmi_conf.h"
#include "bmi/bmi_route.h"
#include "bmi/bmi_scan.h"
#endif
#ifdef EXPERIMENTAL_DCC
#include "dcc/dcc.h"
#include "dcc/dcc_conf.h"
#endif
#ifdef EXPERIMENTAL_QUEUEFILE
#include "transport/queuefile.h"
#endif
#ifdef EXPERIMENTAL_XCLIENT
#include "smtp/xclient.h"
#include "smtp/xclient_conf.h"
#endif
#ifdef EXPERIMENTAL_ESMTP_LIMITS
#include "smtp/limits.h"
#include "smtp/limits_conf.h"
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* DKIM is part of the core build, as in Exim ("DKIM" in -bV). */
static const struct feature feature_dkim = {"DKIM", "_HAVE_DKIM",
                                            &dkim_main_opts, &dkim_main};
/* SPF too, through libspf2 ("SPF" in -bV). */
static const struct feature feature_spf = {"SPF", "_HAVE_SPF", &spf_main_opts,
                                           &spf_main};
#ifdef EXPERIMENTAL_ARC
static const struct feature feature_arc = {"Experimental_ARC", "_HAVE_ARC",
                                           NULL, NULL};
#endif
#ifdef EXPERIMENTAL_BMI
static const struct feature feature_bmi = {
    "Experimental_Brightmail", "_HAVE_BRIGHTMAIL", &bmi_main_opts, &bmi_main};
#endif
#ifdef EXPERIMENTAL_DCC
static const struct feature feature_dcc = {"Experimental_DCC", "_HAVE_DCC",
                                           &dcc_main_opts, &dcc_main};
#endif
#ifdef EXPERIMENTAL_DSN_INFO
static const struct feature feature_dsn_info = {"Experimental_DSN_info",
                                                "_HAVE_DSN_INFO", NULL, NULL};
#endif
#ifdef EXPERIMENTAL_QUEUEFILE
static const struct feature feature_queuefile = {"Experimental_QUEUEFILE",
                                                 "_HAVE_QUEUEFILE", NULL, NULL};
#endif
#ifdef EXPERIMENTAL_XCLIENT
static const struct feature feature_xclient = {
    "Experimental_XCLIENT", "_HAVE_XCLIENT", &xclient_main_opts, &xclient_main};
#endif
#ifdef EXPERIMENTAL_ESMTP_LIMITS
static const struct feature feature_limits = {
    "ESMTP_Limits", "_HAVE_ESMTP_LIMITS", &limits_main_opts, &limits_main};
#endif

/* The names each experimental feature adds (options, drivers), for the
 * features this build leaves out: their options are unknown, as in an
 * Exim built without them, and the error says why. */
struct left_out {
    const char *support;
    const char *const *names;
};
#ifndef EXPERIMENTAL_ARC
static const char *const arc_names[] = {"arc_sign", NULL};
#endif
#ifndef EXPERIMENTAL_BMI
static const char *const bmi_names[] = {"bmi_config_file",
                                        "bmi_deliver_alternate",
                                        "bmi_deliver_default",
                                        "bmi_dont_deliver",
                                        "bmi_rule",
                                        NULL};
#endif
#ifndef EXPERIMENTAL_DCC
static const char *const dcc_names[] = {"dccifd_address", "dccifd_options",
                                        "dcc_direct_add_header", NULL};
#endif
#ifndef EXPERIMENTAL_QUEUEFILE
static const char *const queuefile_names[] = {"queuefile", NULL};
#endif
#ifndef EXPERIMENTAL_XCLIENT
static const char *const xclient_names[] = {"hosts_xclient", NULL};
#endif
#ifndef EXPERIMENTAL_ESMTP_LIMITS
static const char *const limits_names[] = {"limits_advertise_hosts", NULL};
#endif
static const struct left_out left_out[] = {
#ifndef EXPERIMENTAL_ARC
    {"Experimental_ARC", arc_names},
#endif
#ifndef EXPERIMENTAL_BMI
    {"Experimental_BMI", bmi_names},
#endif
#ifndef EXPERIMENTAL_DCC
    {"Experimental_DCC", dcc_names},
#endif
#ifndef EXPERIMENTAL_QUEUEFILE
    {"Experimental_QUEUEFILE", queuefile_names},
#endif
#ifndef EXPERIMENTAL_XCLIENT
    {"Experimental_XCLIENT", xclient_names},
#endif
#ifndef EXPERIMENTAL_ESMTP_LIMITS
    {"ESMTP_Limits", limits_names},
#endif
    {NULL, NULL}};

const char *
registry_left_out(const char *name)
{
    for (const struct left_out *l = left_out; l->support != NULL; l++)
        for (const char *const *n = l->names; *n != NULL; n++)
            if (strcmp(*n, name) == 0)
                return l->support;
    return NULL;
}

const struct feature *const registry_features[] = {
    &feature_dkim,
    &feature_spf,
#ifdef EXPERIMENTAL_ARC
    &feature_arc,
#endif
#ifdef EXPERIMENTAL_BMI
    &feature_bmi,
#endif
#ifdef EXPERIMENTAL_DCC
    &feature_dcc,
#endif
#ifdef EXPERIMENTAL_DSN_INFO
    &feature_dsn_info,
#endif
#ifdef EXPERIMENTAL_QUEUEFILE
    &feature_queuefile,
#endif
#ifdef EXPERIMENTAL_XCLIENT
    &feature_xclient,
#endif
#ifdef EXPERIMENTAL_ESMTP_LIMITS
    &feature_limits,
#endif
    NULL,
};
const size_t registry_nfeatures = NELEM(registry_features) - 1;

static const struct driver_info *const routers[] = {
    &router_accept_info,
    &router_dnslookup_info,
    &router_manualroute_info,
    &router_redirect_info,
};

static const struct driver_ext *const router_exts[] = {
#ifdef EXPERIMENTAL_BMI
    &bmi_router_ext,
#endif
    NULL,
};

const struct route_feature *const registry_route_features[] = {
#ifdef EXPERIMENTAL_BMI
    &bmi_route_feature,
#endif
    NULL,
};

const struct driver_class router_class = {
    "router",
    "routers",
    &router_generic_opts,
    router_exts,
    NELEM(router_exts) - 1,
    routers,
    NELEM(routers),
};

static const struct driver_info *const transports[] = {
    &transport_appendfile_info,
    &transport_pipe_info,
#ifdef EXPERIMENTAL_QUEUEFILE
    &transport_queuefile_info,
#endif
    &transport_smtp_info,
};

static const struct driver_ext *const transport_exts[] = {
    &dkim_transport_ext,
#ifdef EXPERIMENTAL_ARC
    &arc_transport_ext,
#endif
    NULL,
};

const struct driver_class transport_class = {
    "transport",
    "transports",
    &transport_generic_opts,
    transport_exts,
    NELEM(transport_exts) - 1,
    transports,
    NELEM(transports),
};

static const struct driver_info *const auths[] = {
    &auth_dovecot_info,
    &auth_plaintext_info,
};

static const struct driver_ext *const auth_exts[] = {NULL};

const struct driver_class auth_class = {
    "authenticator", "authenticators", &auth_generic_opts, auth_exts, 0,
    auths,           NELEM(auths),
};

void
registry_smtp_init(void)
{
#ifdef EXPERIMENTAL_XCLIENT
    xclient_smtp_init();
#endif
#ifdef EXPERIMENTAL_ESMTP_LIMITS
    limits_smtp_init();
#endif
}

struct conf_macro *
registry_value_macros(struct conf_macro *list)
{
    list = conf_macro_add(arena_perm, list, "_DKIM_SIGN_HEADERS",
                          dkim_default_sign_headers, 0, 1);
    return conf_macro_add(arena_perm, list, "_DKIM_OVERSIGN_HEADERS",
                          dkim_oversign_headers(arena_perm), 0, 1);
}

void
registry_acl_init(void)
{
#ifdef EXPERIMENTAL_BMI
    bmi_acl_init();
#endif
    dkim_init();
    spf_init();
    authres_init();
#ifdef EXPERIMENTAL_ARC
    arc_init();
#endif
#ifdef EXPERIMENTAL_DCC
    dcc_acl_register();
#endif
}

void
registry_before_commit(struct receive *r, const struct acl_state *st)
{
#ifdef EXPERIMENTAL_BMI
    bmi_scan(r, st);
#else
    (void)r;
    (void)st;
#endif
}

void
registry_session_reset(void)
{
#ifdef EXPERIMENTAL_ARC
    arc_session_reset();
#endif
#ifdef EXPERIMENTAL_DCC
    dcc_session_reset();
#endif
}

int
registry_arc_sign_wanted(const struct transport_call *c)
{
#ifdef EXPERIMENTAL_ARC
    return arc_transport_wanted(c);
#else
    (void)c;
    return 0;
#endif
}

int
registry_arc_sign(struct transport_call *c, int fd, gstr *sigs, gstr *err)
{
#ifdef EXPERIMENTAL_ARC
    return arc_transport_sign(c, fd, sigs, err);
#else
    (void)c;
    (void)fd;
    (void)sigs;
    (void)err;
    return 0;
#endif
}

/* registry_lookups[] is defined beside the lookup drivers, in
 * src/expand/lookups/lookup.c. */
