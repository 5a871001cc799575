/* bmid.h: fake-bmid's reading of the client's lines (proto.c), apart
 * from the server loop so that a fuzz target can reach it. */
#ifndef FAKE_BMID_H
#define FAKE_BMID_H

struct fake_buf;

enum bm_cmd {
    BM_BAD = -1, /* not a line of the protocol; *why says what */
    BM_MESSAGE,
    BM_IP,
    BM_FROM,
    BM_TO,
    BM_OPTIN,
    BM_ENDTO,
    BM_HEADER, /* *len bytes follow */
    BM_ENDHEADERS,
    BM_BODY, /* *len bytes follow */
    BM_ENDBODY,
    BM_END
};

#define BM_DATA_MAX (16L * 1024 * 1024)

/* Reads one client line (line end removed). For IP, FROM, TO and OPTIN
 * *arg is the decoded argument (malloc()ed, the caller frees it); for
 * HEADER and BODY *len is the byte count. */
enum bm_cmd bm_parse_line(const char *line, char **arg, long *len,
                          const char **why);
/* xtext (RFC 3461), "+" alone for the empty string. */
void bm_xtext(struct fake_buf *b, const char *s);
/* Decodes xtext; NULL if it is not xtext. */
char *bm_unxtext(const char *s);

#endif
