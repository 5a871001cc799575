/* tls.h: the TLS server (STARTTLS and TLS on connect). */
#ifndef MXLAB_SMTP_TLS_H
#define MXLAB_SMTP_TLS_H

struct smtp_session;

/* Daemon start-up: without tls_certificate (and with TLS advertised)
 * logs Exim's warning and makes a self-signed certificate that the
 * connections' processes inherit; checks tls_require_ciphers as Exim
 * does. 0, or -1 when the list is no good (in the panic log and on
 * stderr: the daemon must not start). */
int smtp_tls_daemon_init(void);
/* Is this local port one of tls_on_connect_ports? */
int smtp_tls_on_connect_port(int port);
/* TLS on connect: the handshake before the banner. 0, or -1 (logged). */
int smtp_tls_start_on_connect(struct smtp_session *s);
/* The end of the session: close_notify, free. */
void smtp_tls_end(struct smtp_session *s);

#endif
