/* eximopts.h: the names of Exim's options, drivers and log selectors
 * (Exim 4.98.2), so that mxlab can say "an Exim option that mxlab does
 * not implement" rather than "unknown" for them. */
#ifndef MXLAB_CONF_EXIMOPTS_H
#define MXLAB_CONF_EXIMOPTS_H

#include <stddef.h>

struct exim_option {
    const char *scope; /* "main", "router", "transport", "authenticator",
                          a driver's name, or "log_selector" */
    const char *name;  /* "" for a driver without options of its own */
};

/* Sorted by scope, then name (eximopts_data.c, generated). */
extern const struct exim_option exim_options[];
extern const size_t exim_noptions;

/* Is name an option (or log selector) of Exim's in scope? */
int exim_option_known(const char *scope, const char *name);
/* Is name one of Exim's drivers (any class)? */
int exim_driver_known(const char *name);

#endif
