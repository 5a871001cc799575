/* address.h: an address being routed and delivered, and the hosts a
 * remote router attaches to it. */
#ifndef MXLAB_ROUTE_ADDRESS_H
#define MXLAB_ROUTE_ADDRESS_H

#include <time.h>

struct arena;
struct driver_instance;

/* One host a remote transport may try; manualroute and dnslookup fill
 * in lists of these (next slice), the smtp transport walks them. */
struct host_item {
    char *name;
    char *address; /* NULL until looked up */
    int port;      /* 0: the transport's port */
    int mx;        /* MX preference, -1 for none */
    /* What the smtp transport met there (for DSN information). */
    char *greeting;      /* the server's greeting, first line */
    char *helo_response; /* its reply to EHLO or HELO, first line */
    /* Our end of the connection to it ($sending_ip_address; I= on
     * delivery lines), NULL until connected. */
    char *sending_ip;
    int sending_port;
    struct host_item *next;
};

#define ADDR_PIPE           0x01 /* "|command" from a redirection */
#define ADDR_FILE           0x02 /* "/path" from a redirection */
#define ADDR_UNSEEN         0x04 /* a copy routed on past an unseen router */
#define ADDR_DIRECTORY      0x08 /* "/path/" (directory_transport) */
#define ADDR_SMTP_MORE      0x10 /* not the first of an SMTP transaction: "->" */
#define ADDR_CONT_CONN      0x20 /* sent down a connection kept open: "H=...*" */
#define ADDR_FREEZE         0x40  /* its deferral freezes the message (self) */
#define ADDR_PIPELINED      0x80  /* sent with SMTP PIPELINING: " L" */
#define ADDR_PASS_MSG       0x100 /* message may go to the sender (a reply) */
#define ADDR_LOG_PANIC      0x200 /* its deferral goes to the panic log too */
#define ADDR_DSN_AWARE      0x400 /* the server took NOTIFY= (it offered DSN) */
#define ADDR_NOTICE         0x800 /* in the success notice being written */
#define ADDR_RCPT_TIMEOUT   0x1000 /* its RCPT timed out: an address retry */
#define ADDR_FORBIDDEN      0x2000 /* a pipe or file its redirect router forbids */
#define ADDR_IN_REPORT      0x4000   /* in the failure report being written */
#define ADDR_REPORTED       0x8000   /* its failure was reported or ignored */
#define ADDR_CANCELLED      0x10000  /* failed by -Mg: not logged, no text */
#define ADDR_RETRY_TIMEDOUT 0x20000  /* failed by retry timeout, not 5xx */
#define ADDR_REPORT_HELD    0x40000  /* a report's failure held as a deferral */
#define ADDR_CHUNKING       0x80000  /* sent with SMTP CHUNKING (BDAT): " K" */
#define ADDR_QUIET_REPORT   0x100000 /* its report shows the address only */
#define ADDR_JOURNALED      0x200000 /* its key is in the -J file already */

/* Where an address ends up (what the delivery logs). */
enum addr_result {
    ADDR_PENDING,
    ADDR_OK,      /* delivered */
    ADDR_FAIL,    /* failed permanently: "**", a bounce */
    ADDR_DEFER,   /* try again later: "==" */
    ADDR_DISCARD, /* :blackhole: */
};

struct address {
    char *address;    /* local_part@domain as routed (or |cmd, /path) */
    char *unique;     /* its key in the -J journal and non-recipients:
                         the address; "|cmd:parent" for pipes and files;
                         "addr/router" once an unseen router took it */
    char *local_part; /* prefix and suffix removed once a router with
                         them runs; as in the address otherwise */
    char *domain;
    char *cc_local_part; /* the local part as given (caseful) */
    char *prefix, *suffix;
    unsigned flags;         /* ADDR_* */
    struct address *parent; /* the address it was generated from */
    int rcpt_index;         /* the top ancestor's index in the -H */
    struct address *next;   /* in whichever list holds it */

    /* Routing. */
    const struct driver_instance *start_router; /* NULL: the first */
    const struct driver_instance *router;       /* the one that took it */
    const struct driver_instance *transport;
    char *address_data;
    /* $domain_data, $local_part_data: the value of the item of the
     * router's domains / local_parts list that matched (the item itself,
     * or a lookup's result); reset for each router. */
    char *domain_data;
    char *local_part_data;
    char *errors_to;
    char *home;
    char *headers_add;       /* "Name: value\n"..., from routers */
    char *headers_remove;    /* a colon list, from routers */
    struct host_item *hosts; /* for remote transports */

    /* Delivery. */
    enum addr_result result;
    int basic_errno; /* errno, or Exim's negative ERRNO_* codes */
    char *message;   /* why it failed or was deferred; for -bt too */
    char *user_message;
    const struct host_item *host_used;
    char *return_path;
    time_t delivered_at;
    long size;             /* bytes the transport wrote (S=) */
    char *tls_cipher;      /* the smtp transport's TLS session (X=) */
    char *tls_peerdn;      /* the server's certificate subject (DN=) */
    int tls_cert_verified; /* ... and whether it was verified (CV=) */
    struct address *dupof; /* a duplicate of this one: not delivered */
    /* Set by the smtp transport for DSN information when the failure
     * came while setting up the connection (first lines, <= 128). */
    char *smtp_greeting;
    char *helo_response;
    /* The commands of the session's start (protocol_detail "PS="), on
     * the first address of the transaction that opened it. */
    char *proto_seq;
    /* The smtp transport's client authenticator (A=name:id). */
    const char *authenticator;
    const char *auth_id;
    const char *auth_sender; /* MAIL's AUTH= (+smtp_mailauth's A=) */
    /* DKIM signatures made: "domain:selector[:...]" (DKIM= under
     * +dkim_verbose). */
    const char *dkim_used;
};

/* A lower-cased copy. */
char *address_lc(struct arena *a, const char *s);
/* A new top-level address (copied), split at the last "@"; an address
 * without one gets qualify_domain. */
struct address *address_new(struct arena *a, const char *text,
                            const char *qualify_domain);
/* A child of parent for text (already qualified unless it is a pipe or
 * file). */
struct address *address_child(struct arena *a, struct address *parent,
                              const char *text, unsigned flags);
/* The top ancestor. */
struct address *address_top(struct address *a);
/* 1 if an ancestor of a (not a itself) was routed by router and has
 * the same address (any address when same_only is 0, for
 * no_repeat_use): Exim's loop check. */
int address_ancestor_routed_by(const struct address *a,
                               const struct driver_instance *router,
                               int same_only);
/* 1 if a or one of its ancestors has the address text (no case). */
int address_is_ancestor(const struct address *a, const char *text);

#endif
