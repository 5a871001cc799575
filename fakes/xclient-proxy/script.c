/*++
 * NAME
 *	script 3
 * SUMMARY
 *	fake-xclient-proxy's behaviour script
 * SYNOPSIS
 *	#include "proxy.h"
 *
 *	void	proxy_script_load(const char *path, struct proxy_config *cfg)
 * DESCRIPTION
 *	Reads the script (see --help and docs/fakes.md) into cfg, whose
 *	defaults imitate nginx's mail proxy: "XCLIENT ADDR LOGIN NAME",
 *	NAME=[UNAVAILABLE], the "IPV6:" prefix, AUTH optional.
 * DIAGNOSTICS
 *	A bad line is fatal, reported as FILE:LINE: message.
 *--*/

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fake_script.h"
#include "proxy.h"

static const char *const known_attrs[] = {
    "ADDR", "NAME", "PORT", "LOGIN", "DESTADDR", "DESTPORT", "HELO", "PROTO",
};

static int
yes_no(const struct fake_script_line *l)
{
    if (l->nwords != 2)
        fake_script_error(l, "%s needs yes or no", l->words[0]);
    if (strcmp(l->words[1], "yes") == 0)
        return 1;
    if (strcmp(l->words[1], "no") == 0)
        return 0;
    fake_script_error(l, "%s needs yes or no", l->words[0]);
}

static const char *
one_value(const struct fake_script_line *l)
{
    if (l->nwords < 2)
        fake_script_error(l, "%s needs a value", l->words[0]);
    return fake_script_rest(l, 1);
}

static void
set_attrs(struct proxy_config *cfg, const struct fake_script_line *l)
{
    cfg->nattrs = 0;
    if (l->nwords == 2 && strcmp(l->words[1], "none") == 0)
        return;
    if (l->nwords < 2)
        fake_script_error(l, "xclient needs attribute names or none");
    for (int i = 1; i < l->nwords; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof(known_attrs) / sizeof(known_attrs[0]);
             k++)
            ok |= strcasecmp(l->words[i], known_attrs[k]) == 0;
        if (!ok)
            fake_script_error(l, "unknown XCLIENT attribute \"%s\"",
                              l->words[i]);
        if (cfg->nattrs >= PROXY_MAX_ATTRS)
            fake_script_error(l, "too many attributes");
        cfg->attrs[cfg->nattrs++] = l->words[i];
    }
}

void
proxy_script_load(const char *path, struct proxy_config *cfg)
{
    struct fake_script sc;

    cfg->attrs[0] = "ADDR";
    cfg->attrs[1] = "LOGIN";
    cfg->attrs[2] = "NAME";
    cfg->nattrs = 3;
    cfg->name = "[UNAVAILABLE]";
    cfg->ipv6_prefix = 1;
    if (path == NULL)
        return;
    fake_script_load(path, &sc);
    for (int i = 0; i < sc.nlines; i++) {
        const struct fake_script_line *l = &sc.lines[i];
        const char *d = l->words[0];

        if (l->ncont > 0)
            fake_script_error(l, "no continuation lines here");
        if (strcmp(d, "hostname") == 0)
            cfg->hostname = one_value(l);
        else if (strcmp(d, "greeting") == 0)
            cfg->greeting = one_value(l);
        else if (strcmp(d, "user") == 0) {
            if (l->nwords != 3)
                fake_script_error(l, "user needs a name and a password");
            if (cfg->nusers >= PROXY_MAX_USERS)
                fake_script_error(l, "too many users");
            cfg->users[cfg->nusers].name = l->words[1];
            cfg->users[cfg->nusers++].password = l->words[2];
        } else if (strcmp(d, "auth") == 0) {
            if (l->nwords != 2 || (strcmp(l->words[1], "required") != 0 &&
                                   strcmp(l->words[1], "optional") != 0))
                fake_script_error(l, "auth needs required or optional");
            cfg->auth_required = strcmp(l->words[1], "required") == 0;
        } else if (strcmp(d, "xclient") == 0)
            set_attrs(cfg, l);
        else if (strcmp(d, "name") == 0)
            cfg->name = one_value(l);
        else if (strcmp(d, "addr") == 0)
            cfg->addr = one_value(l);
        else if (strcmp(d, "port") == 0)
            cfg->port = one_value(l);
        else if (strcmp(d, "destaddr") == 0)
            cfg->destaddr = one_value(l);
        else if (strcmp(d, "destport") == 0)
            cfg->destport = one_value(l);
        else if (strcmp(d, "login") == 0)
            cfg->login = one_value(l);
        else if (strcmp(d, "ipv6-prefix") == 0)
            cfg->ipv6_prefix = yes_no(l);
        else if (strcmp(d, "fault") == 0) {
            if (l->nwords == 2 && strcmp(l->words[1], "no-ehlo") == 0)
                cfg->fault = PROXY_FAULT_NO_EHLO;
            else if (l->nwords == 2 &&
                     strcmp(l->words[1], "drop-after-xclient") == 0)
                cfg->fault = PROXY_FAULT_DROP_XCLIENT;
            else if (l->nwords >= 3 &&
                     strcmp(l->words[1], "xclient-line") == 0) {
                cfg->fault = PROXY_FAULT_XCLIENT_LINE;
                cfg->fault_line = fake_script_rest(l, 2);
            } else
                fake_script_error(l, "fault needs no-ehlo, "
                                     "drop-after-xclient or xclient-line "
                                     "TEXT");
        } else
            fake_script_error(l, "unknown directive \"%s\"", d);
    }
}
