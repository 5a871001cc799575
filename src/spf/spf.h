/* spf.h: SPF (RFC 7208) through libspf2, its DNS queries made by
 * mxlab's resolver: the spf and spf_guess ACL conditions. */
#ifndef MXLAB_SPF_SPF_H
#define MXLAB_SPF_SPF_H

/* Registers the spf and spf_guess ACL conditions (once). */
void spf_init(void);

#endif
