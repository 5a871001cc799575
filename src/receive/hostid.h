/* hostid.h: how a client is named in log lines and Received: headers,
 * by SMTP and reception alike. */
#ifndef MXLAB_RECEIVE_HOSTID_H
#define MXLAB_RECEIVE_HOSTID_H

struct gstr;

struct host_id {
    const char *address; /* NULL for a local caller */
    int port;
    const char *name; /* verified reverse-lookup name, or NULL */
    const char *helo;
    const char *ident; /* local login, or RFC 1413 answer */
    const char *interface_address;
    int interface_port;
};

/* "name (helo) [ip]:port" as Exim's sender_fullhost (port only under
 * +incoming_port); "" for a local caller. */
void host_fullhost(struct gstr *out, const struct host_id *h);
/* The from part of Received: "[ip] (helo=x)" or "name ([ip] helo=x)". */
void host_rcvhost(struct gstr *out, const struct host_id *h);
/* Log-line form: "H=fullhost [I=[ip]:port] [U=ident]", or "U=login". */
void host_and_ident(struct gstr *out, const struct host_id *h, int with_flag);
/* "connection[ Ci=N] from CLIENT", for lines about the connection. */
void host_connection_from(struct gstr *out, const struct host_id *h);

#endif
