/* bmi_api.h: mxlab's stand-in for the Brightmail client SDK interface.
 *
 * Brightmail's SDK is gone; this header declares the calls an MTA makes
 * into it (the set Exim's bmi_spam.c uses), written from their use, for
 * mxlab's own libbmiclient_single. The library talks to fake-bmid over
 * the line protocol of docs/bmi-protocol.md. Types are mxlab's: only the
 * names, the calls and how they are used come from the original.
 *
 * Every call that can fail returns a BmiError by value; a caller asks
 * bmiErrorIsFatal() whether it is one (BMI_TRUE), and may log
 * bmiErrorGetLocation() and bmiErrorGetType(), which are small numbers.
 * Strings handed out (bmiCreateStrFromVerdict, ...) are the caller's to
 * release with bmiFreeStr(); objects with their bmiFree... call. */
#ifndef BMI_API_H
#define BMI_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* The interface version a caller was compiled against. */
#define BMI_VERSION 1

typedef int BmiBoolean;
#define BMI_TRUE  1
#define BMI_FALSE 0

/* Where a failure happened. */
typedef enum {
    BMI_ERROR_LOC_NONE = 0,
    BMI_ERROR_LOC_CONFIG = 1,  /* reading the configuration file */
    BMI_ERROR_LOC_CONNECT = 2, /* reaching the server */
    BMI_ERROR_LOC_SEND = 3,    /* sending the message */
    BMI_ERROR_LOC_ANSWER = 4,  /* reading the server's answer */
    BMI_ERROR_LOC_VERDICT = 5, /* a verdict string or object */
    BMI_ERROR_LOC_CALL = 6     /* a call made out of order, or bad args */
} BmiErrorLocation;

/* What kind of failure. */
typedef enum {
    BMI_ERROR_TYPE_NONE = 0,
    BMI_ERROR_TYPE_SYSTEM = 1,   /* an operating system call failed */
    BMI_ERROR_TYPE_TIMEOUT = 2,  /* the server did not answer in time */
    BMI_ERROR_TYPE_PROTOCOL = 3, /* the server's answer made no sense */
    BMI_ERROR_TYPE_CLOSED = 4,   /* the server closed the connection */
    BMI_ERROR_TYPE_SERVER = 5,   /* the server said it failed (ERROR) */
    BMI_ERROR_TYPE_SYNTAX = 6,   /* bad configuration or verdict text */
    BMI_ERROR_TYPE_MEMORY = 7,   /* out of memory */
    BMI_ERROR_TYPE_USAGE = 8     /* bad arguments, wrong order */
} BmiErrorType;

typedef struct BmiError {
    BmiErrorLocation location;
    BmiErrorType type;
    BmiBoolean fatal;
} BmiError;

typedef struct BmiSystem BmiSystem;
typedef struct BmiMessage BmiMessage;
typedef struct BmiOptin BmiOptin;
typedef struct BmiVerdict BmiVerdict;
typedef struct BmiRecipient BmiRecipient;

/* Errors. */
BmiBoolean bmiErrorIsFatal(BmiError err);
BmiErrorLocation bmiErrorGetLocation(BmiError err);
BmiErrorType bmiErrorGetType(BmiError err);

/* Set-up: the configuration file names the server and time-outs. */
BmiError bmiInitSystem(int version, char *config_file, BmiSystem **system);
void bmiFreeSystem(BmiSystem *system);
/* Connects to the server and starts one message. */
BmiError bmiInitMessage(BmiSystem *system, BmiMessage **message);
void bmiFreeMessage(BmiMessage *message);

/* Feeding one message, in this order. */
BmiError bmiProcessConnection(char *ip_address, BmiMessage *message);
BmiError bmiProcessFROM(char *address, BmiMessage *message);
BmiError bmiOptinInit(BmiOptin **optin);
/* Adds every item of list (separated by sep) as an opt-in string. */
BmiError bmiOptinMset(BmiOptin *optin, const char *list, char sep);
void bmiOptinFree(BmiOptin *optin);
/* optin may be NULL. */
BmiError bmiAccumulateTO(char *address, BmiOptin *optin, BmiMessage *message);
BmiError bmiEndTO(BmiMessage *message);
BmiError bmiAccumulateHeaders(const char *text, int len, BmiMessage *message);
BmiError bmiEndHeaders(BmiMessage *message);
BmiError bmiAccumulateBody(const char *text, int len, BmiMessage *message);
BmiError bmiEndBody(BmiMessage *message);
/* Sends the end of the message and reads the verdicts. */
BmiError bmiEndMessage(BmiMessage *message);

/* The verdicts of a processed message; *verdict is NULL after the last.
 * They belong to the message. */
BmiError bmiAccessFirstVerdict(BmiMessage *message, const BmiVerdict **verdict);
BmiError bmiAccessNextVerdict(BmiMessage *message, const BmiVerdict *current,
                              const BmiVerdict **verdict);

/* A verdict as a string (base64: no ':' in it) and back. */
BmiError bmiCreateStrFromVerdict(const BmiVerdict *verdict, char **str);
BmiError bmiCreateVerdictFromStr(const char *str, BmiVerdict **verdict);
/* The older "tracker" string: base64 of the rules that fired. The
 * argument is a char ** in effect; it is declared void * so that callers
 * keeping the result in an unsigned char * compile too. */
BmiError bmiCreateOldStrFromVerdict(const BmiVerdict *verdict, void *str);
void bmiFreeStr(char *str);
void bmiFreeVerdict(BmiVerdict *verdict);

/* What a verdict says. */
BmiError bmiVerdictError(const BmiVerdict *verdict);
BmiBoolean bmiVerdictDestinationIsDefault(const BmiVerdict *verdict);
/* The alternate location, or NULL: do not deliver. Only meaningful when
 * the destination is not the default. */
char *bmiVerdictAccessDestination(const BmiVerdict *verdict);
BmiBoolean bmiVerdictRuleFired(const BmiVerdict *verdict, int rule);

/* The recipients a verdict is for. */
const BmiRecipient *bmiVerdictAccessFirstRecipient(const BmiVerdict *verdict);
const BmiRecipient *bmiVerdictAccessNextRecipient(const BmiVerdict *verdict,
                                                  const BmiRecipient *current);
/* The address, in memory the caller may write into (until the verdict
 * is freed). */
char *bmiRecipientAccessAddress(const BmiRecipient *recipient);

#ifdef __cplusplus
}
#endif

#endif
