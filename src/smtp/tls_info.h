/* tls_info.h: what a TLS session is, in Exim's terms (no OpenSSL types,
 * so that any file may include it). */
#ifndef MXLAB_SMTP_TLS_INFO_H
#define MXLAB_SMTP_TLS_INFO_H

/* What a finished handshake tells, in Exim's formats. */
struct tls_info {
    int active;          /* the handshake finished */
    int bits;            /* $tls_in_bits */
    char *ver;           /* "TLS1.3" ($tls_in_ver) */
    char *cipher;        /* "TLS1.3:TLS_AES_256_GCM_SHA384:256" (X=) */
    char *cipher_std;    /* "TLS_AES_256_GCM_SHA384" */
    char *peerdn;        /* "/CN=client.test.ex" (DN=), or NULL */
    char *sni;           /* the server name asked for, or NULL */
    char *ourcert;       /* our certificate, PEM (the spool's -tls_ourcert) */
    char *peercert_pem;  /* the peer's, PEM, or NULL (--tls_peercert) */
    int peercert;        /* the peer showed a certificate (CV= is logged) */
    int cert_verified;   /* ... and it was verified */
    int verify_override; /* verification failed but was optional */
};

#endif
