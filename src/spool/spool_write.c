/*++
 * NAME
 *	spool_write 3
 * SUMMARY
 *	-H files in Exim's format
 * SYNOPSIS
 *	#include "spool/spool_write.h"
 *
 *	void	spool_format_header(gstr *out, const struct spool_msg *m)
 *	int	spool_write_header(const char *spool_dir, int split,
 *			const struct spool_msg *m, gstr *err)
 *	int	spool_rewrite_header(const char *spool_dir, int split,
 *			const struct spool_msg *m, gstr *err)
 *	int	spool_write_message(const char *spool_dir, int split,
 *			struct spool_msg *m, struct spool_body *b, gstr *err)
 * DESCRIPTION
 *	spool_format_header() produces the -H text line for line as Exim
 *	4.99 writes it: the id line, "login uid gid", "<sender>", "time
 *	warnings", the option lines in Exim's order (values marked
 *	tainted, "--name", per spool_msg.tainted; ACL variables ordered as
 *	Exim's variable trees walk, connection ones first), then the
 *	option lines mxlab did not recognise when it read the file, the
 *	non-recipients tree, the recipient count and recipients, an empty
 *	line, and the headers as "%03d%c %s".
 *
 *	Recipient lines are rcpt_line(3)'s.
 *
 *	One-line values cannot hold a newline: one is written as a space
 *	(Exim does this for addresses), so no value can break the file.
 *	TLS peer DN and SNI are escaped as Exim's string_printing() does.
 *
 *	spool_write_header() writes the text to input/[<c>/]hdr.<id>,
 *	fsync()s it, renames it over <id>-H and fsync()s the directory. A
 *	rewrite (spool_rewrite_header(), the same operation) therefore
 *	leaves either the old file or the new one, never a mixture.
 *	spool_write_message() writes the body's last bytes and the -H's
 *	temporary file (the unnamed one that spool_path_prepare_temp()
 *	made ahead of time, when there is one; else hdr.<id>), starts the
 *	writeback of both (not on tmpfs or ramfs, where a sync waits for
 *	nothing), fsync()s the body and then the -H, so that the body's
 *	sync writes both files' blocks and the -H's has little left but
 *	its flush, gives the -H its name (a link of the unnamed file, or
 *	a rename; the body is written as <id>-D from the start, as Exim
 *	writes it) and fsync()s the directory once: see spool_body(3) for
 *	why naming the -H is the commit point. An unnamed file that cannot
 *	be linked is written again as hdr.<id>.
 * DIAGNOSTICS
 *	-1 with "spool file <path>: <step> failed: <system error>" in err.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fdio.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "spool/envelope.h"
#include "spool/msgid.h"
#include "spool/rcpt_line.h"
#include "spool/spool_body.h"
#include "spool/spool_path.h"
#include "spool/spool_write.h"
#include "spool/tree.h"

/* At most max bytes of s, newlines as spaces. */
static void
put_oneline_max(struct gstr *out, const char *s, size_t max)
{
    for (; *s && max > 0; s++, max--)
        gstr_addc(out, *s == '\n' ? ' ' : *s);
}

static void
put_oneline(struct gstr *out, const char *s)
{
    put_oneline_max(out, s, SIZE_MAX);
}

/* "-name value" or "--name value" for a tainted value. */
static void
put_var(struct gstr *out, const struct spool_msg *m, enum spool_field f,
        const char *name, const char *value)
{
    if (value == NULL)
        return;
    gstr_adds(out, m->tainted & SPOOL_TAINT(f) ? "--" : "-");
    gstr_adds(out, name);
    gstr_addc(out, ' ');
    if (f == SPOOL_F_TLS_PEERDN || f == SPOOL_F_TLS_SNI ||
        f == SPOOL_F_TLS_OURCERT || f == SPOOL_F_TLS_PEERCERT)
        str_printing(out, value, strlen(value));
    else
        put_oneline(out, value);
    gstr_addc(out, '\n');
}

static void
put_hostport(struct gstr *out, const struct spool_msg *m, enum spool_field f,
             const char *name, const char *addr, int port)
{
    if (addr == NULL)
        return;
    gstr_adds(out, m->tainted & SPOOL_TAINT(f) ? "--" : "-");
    gstr_printf(out, "%s [", name);
    put_oneline(out, addr);
    gstr_printf(out, "]:%d\n", port);
}

static void
put_flag(struct gstr *out, int on, const char *line)
{
    if (on)
        gstr_adds(out, line);
}

static void
put_aclvar_node(struct tree_node *node, void *ctx)
{
    struct gstr *out = ctx;
    const struct spool_aclvar *v = node->value;

    gstr_addc(out, '-');
    if (v->tainted || v->quoter != NULL) {
        gstr_addc(out, '-');
        if (v->quoter != NULL)
            gstr_printf(out, "(%s)", v->quoter);
    }
    gstr_printf(out, "acl%c %s %zu\n", v->kind, v->name, v->len);
    gstr_addn(out, v->value, v->len);
    gstr_addc(out, '\n');
}

/* Exim keeps ACL variables in one tree per kind, keyed by "c<name>" or
 * "m<name>", and writes each by walking it; insertion order is the
 * order they were set, which is the list's order. */
static void
put_aclvars(struct gstr *out, const struct spool_msg *m, char kind)
{
    struct arena *a = arena_create();
    struct tree_node *root = NULL;

    for (struct spool_aclvar *v = m->aclvars; v != NULL; v = v->next)
        if (v->kind == kind)
            (void)tree_add(&root, a, v->name, v);
    tree_walk(root, put_aclvar_node, out);
    arena_destroy(a);
}

static void
put_host_options(struct gstr *out, const struct spool_msg *m)
{
    put_var(out, m, SPOOL_F_HELO_NAME, "helo_name", m->helo_name);
    if (m->host_address != NULL) {
        put_hostport(out, m, SPOOL_F_HOST_ADDRESS, "host_address",
                     m->host_address, m->host_port);
        put_var(out, m, SPOOL_F_HOST_NAME, "host_name", m->host_name);
    }
    put_var(out, m, SPOOL_F_HOST_AUTH, "host_auth", m->host_auth);
    put_var(out, m, SPOOL_F_HOST_AUTH_PUBNAME, "host_auth_pubname",
            m->host_auth_pubname);
    put_hostport(out, m, SPOOL_F_INTERFACE_ADDRESS, "interface_address",
                 m->interface_address, m->interface_port);
    put_var(out, m, SPOOL_F_ACTIVE_HOSTNAME, "active_hostname",
            m->active_hostname);
    put_var(out, m, SPOOL_F_IDENT, "ident", m->ident);
    put_var(out, m, SPOOL_F_RECEIVED_PROTOCOL, "received_protocol",
            m->received_protocol);
}

static void
put_body_options(struct gstr *out, const struct spool_msg *m)
{
    if (m->spool_file_wireformat)
        gstr_adds(out, "-spool_file_wireformat\n");
    else
        gstr_printf(out, "-body_linecount %ld\n", m->body_linecount);
    gstr_printf(out, "-max_received_linelength %ld\n",
                m->max_received_linelength);
    if (m->body_zerocount > 0)
        gstr_printf(out, "-body_zerocount %ld\n", m->body_zerocount);
    put_var(out, m, SPOOL_F_AUTH_ID, "auth_id", m->auth_id);
    put_var(out, m, SPOOL_F_AUTH_SENDER, "auth_sender", m->auth_sender);
}

static void
put_state_options(struct gstr *out, const struct spool_msg *m)
{
    put_flag(out, m->allow_unqualified_recipient,
             "-allow_unqualified_recipient\n");
    put_flag(out, m->allow_unqualified_sender, "-allow_unqualified_sender\n");
    put_flag(out, m->deliver_firsttime, "-deliver_firsttime\n");
    if (m->frozen)
        gstr_printf(out, "-frozen %ld\n", (long)m->frozen_at);
    put_flag(out, m->dont_deliver, "-N\n");
    put_flag(out, m->host_lookup_deferred, "-host_lookup_deferred\n");
    put_flag(out, m->host_lookup_failed, "-host_lookup_failed\n");
    put_flag(out, m->local, "-local\n");
    put_flag(out, m->localerror, "-localerror\n");
    put_flag(out, m->manual_thaw, "-manual_thaw\n");
    put_flag(out, m->sender_set_untrusted, "-sender_set_untrusted\n");
    put_var(out, m, SPOOL_F_BMI_VERDICTS, "bmi_verdicts", m->bmi_verdicts);
}

static void
put_tls_dsn_options(struct gstr *out, const struct spool_msg *m)
{
    put_flag(out, m->tls_certificate_verified, "-tls_certificate_verified\n");
    put_var(out, m, SPOOL_F_TLS_CIPHER, "tls_cipher", m->tls_cipher);
    put_var(out, m, SPOOL_F_TLS_PEERCERT, "tls_peercert", m->tls_peercert);
    put_var(out, m, SPOOL_F_TLS_PEERDN, "tls_peerdn", m->tls_peerdn);
    put_var(out, m, SPOOL_F_TLS_SNI, "tls_sni", m->tls_sni);
    put_var(out, m, SPOOL_F_TLS_OURCERT, "tls_ourcert", m->tls_ourcert);
    if (m->tls_resumption != 0)
        gstr_printf(out, "-tls_resumption %c\n", m->tls_resumption);
    put_var(out, m, SPOOL_F_TLS_VER, "tls_ver", m->tls_ver);
    put_var(out, m, SPOOL_F_DSN_ENVID, "dsn_envid", m->dsn_envid);
    if (m->dsn_ret != 0)
        gstr_printf(out, "-dsn_ret %d\n", m->dsn_ret);
}

void
spool_format_header(struct gstr *out, const struct spool_msg *m)
{
    gstr_printf(out, "%s-H\n", m->id);
    put_oneline_max(out, m->login ? m->login : "", 63); /* Exim's limit */
    gstr_printf(out, " %ld %ld\n", m->uid, m->gid);
    gstr_addc(out, '<');
    put_oneline(out, m->sender ? m->sender : "");
    gstr_adds(out, ">\n");
    gstr_printf(out, "%ld %d\n", (long)m->received_sec, m->warning_count);
    gstr_printf(out, "-received_time_usec .%06ld\n", m->received_usec);
    if (m->complete_sec != 0)
        gstr_printf(out, "-received_time_complete %ld.%06ld\n",
                    (long)m->complete_sec, m->complete_usec);
    put_host_options(out, m);
    put_aclvars(out, m, 'c');
    put_aclvars(out, m, 'm');
    put_body_options(out, m);
    put_state_options(out, m);
    put_tls_dsn_options(out, m);
    for (const struct spool_optline *o = m->unknown; o != NULL; o = o->next) {
        put_oneline(out, o->line);
        gstr_addc(out, '\n');
    }
    tree_write(out, m->nonrecipients);
    gstr_printf(out, "%d\n", m->rcpt_count);
    for (int i = 0; i < m->rcpt_count; i++)
        rcpt_line_format(out, &m->rcpts[i]);
    gstr_addc(out, '\n');
    for (const struct spool_header *h = m->headers; h != NULL; h = h->next) {
        gstr_printf(out, "%03zu%c ", h->len, h->type);
        gstr_addn(out, h->text, h->len);
    }
}

static int
write_fail(struct gstr *err, const char *path, const char *what, int fd)
{
    int e = errno;

    gstr_printf(err, "spool file %s: %s failed: %s", path, what, strerror(e));
    if (fd >= 0)
        close(fd);
    (void)unlink(path);
    return -1;
}

/* data to tmp, on disk, renamed to final, directory synced. */
static int
write_atomic(const char *tmp, const char *final, const char *dir,
             const struct gstr *data, struct gstr *err)
{
    int fd = spool_path_open_temp(tmp, O_WRONLY);

    if (fd < 0) {
        gstr_printf(err, "spool file %s: cannot create: %s", tmp,
                    strerror(errno));
        return -1;
    }
    if (fd_write_all(fd, data->s ? data->s : "", data->len) < 0)
        return write_fail(err, tmp, "write", fd);
    if (fsync(fd) < 0)
        return write_fail(err, tmp, "sync", fd);
    if (close(fd) < 0)
        return write_fail(err, tmp, "close", -1);
    if (rename(tmp, final) < 0)
        return write_fail(err, tmp, "rename", -1);
    return spool_path_sync_dir(dir, err);
}

/* A -H to be written: its text, its temporary and final names, and its
 * directory (made by the caller where it may be missing). */
struct hdr_file {
    struct gstr text, tmp, final, dir;
};

static int
hdr_file_make(struct arena *a, const char *spool_dir, int split,
              const struct spool_msg *m, struct hdr_file *h, struct gstr *err)
{
    char subdir = split ? msgid_split_char(m->id) : 0;

    if (spool_path_check_id(m->id, err) < 0)
        return -1;
    gstr_init(&h->text, a);
    gstr_init(&h->tmp, a);
    gstr_init(&h->final, a);
    gstr_init(&h->dir, a);
    spool_format_header(&h->text, m);
    spool_path_file_in(&h->tmp, spool_dir, subdir, "hdr.", m->id, "");
    spool_path_file_in(&h->final, spool_dir, subdir, "", m->id, "-H");
    spool_path_dir(&h->dir, spool_dir, subdir);
    return 0;
}

int
spool_write_header(const char *spool_dir, int split, const struct spool_msg *m,
                   struct gstr *err)
{
    struct arena *a = arena_create();
    struct hdr_file h;
    int rc = hdr_file_make(a, spool_dir, split, m, &h, err);

    if (rc == 0)
        rc = spool_path_make_dirs(spool_dir,
                                  split ? msgid_split_char(m->id) : 0, err);
    if (rc == 0)
        rc = write_atomic(h.tmp.s, h.final.s, h.dir.s, &h.text, err);
    arena_destroy(a);
    return rc;
}

int
spool_rewrite_header(const char *spool_dir, int split,
                     const struct spool_msg *m, struct gstr *err)
{
    return spool_write_header(spool_dir, split, m, err);
}

/* A failure after the rename (the directory sync) leaves a -H that may
 * or may not survive a crash; the message is not accepted, so it goes. */
static void
remove_header(const char *spool_dir, int split, const char *id)
{
    struct arena *a = arena_create();
    struct gstr path;

    gstr_init(&path, a);
    spool_path_file(&path, spool_dir, split, "", id, "-H");
    (void)unlink(path.s);
    arena_destroy(a);
}

/* Whether a sync in DIR can wait for anything: not on tmpfs or ramfs.
 * The answer for the last directory asked about is kept. */
static int
syncs_wait(const char *dir)
{
    static char last[1024];
    static int answer = 1;
    struct statfs st;

    if (strcmp(dir, last) == 0)
        return answer;
    answer = !(statfs(dir, &st) == 0 &&
               (st.f_type == TMPFS_MAGIC || st.f_type == RAMFS_MAGIC));
    if (strlen(dir) < sizeof(last))
        memcpy(last, dir, strlen(dir) + 1);
    return answer;
}

/* fsync() of A and then B; the errnos of failed syncs go to *ea and *eb
 * (0: synced). Where a sync waits for the disk, the writeback of both
 * files is started first (sync_file_range() without a wait, which also
 * gives each its blocks), so that A's fsync() finds B's data on its way
 * and B's inode placed: its writes cover both files, and B's fsync() has
 * little or nothing left to write before its flush. A file system with a
 * journal commits both files' metadata with A's. */
static void
sync_both(int a, int b, const char *dir, int *ea, int *eb)
{
    if (syncs_wait(dir)) {
        (void)sync_file_range(a, 0, 0, SYNC_FILE_RANGE_WRITE);
        (void)sync_file_range(b, 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    *ea = fsync(a) < 0 ? errno : 0;
    *eb = fsync(b) < 0 ? errno : 0;
}

/* A failed step on the -H's temporary file: the error, the file closed
 * and, if it has a name, removed. */
static int
hdr_fail(struct gstr *err, const struct hdr_file *h, int anon, const char *what,
         int fd)
{
    int e = errno;

    if (!anon)
        return write_fail(err, h->tmp.s, what, fd);
    gstr_printf(err, "spool file %s: %s failed: %s", h->final.s, what,
                strerror(e));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The message's -H, for a body that has been finished but not synced:
 * the -H to a temporary file (the unnamed one made ahead of time, if
 * there is one, else hdr.<id>), both synced, the -H named (linked, or
 * renamed), the directory synced. */
static int
write_with_body(const char *spool_dir, int split, const struct spool_msg *m,
                struct spool_body *b, struct gstr *err)
{
    struct arena *a = arena_create();
    struct hdr_file h;
    struct gstr *text = &h.text, *tmp = &h.tmp, *final = &h.final;
    int fd = -1, ebody, ehdr, anon, rc = -1;

    /* the -H goes where the body's file already is: no directory to make */
    if (hdr_file_make(a, spool_dir, split, m, &h, err) < 0)
        goto out;
    fd = spool_path_take_temp(h.dir.s);
    anon = fd >= 0;
again:
    if (!anon && (fd = spool_path_open_temp(tmp->s, O_WRONLY)) < 0) {
        gstr_printf(err, "spool file %s: cannot create: %s", tmp->s,
                    strerror(errno));
        goto out;
    }
    if (fd_write_all(fd, text->s ? text->s : "", text->len) < 0) {
        (void)hdr_fail(err, &h, anon, "write", fd);
        goto out;
    }
    sync_both(spool_body_fd(b), fd, h.dir.s, &ebody, &ehdr);
    if (ebody != 0) {
        close(fd);
        if (!anon)
            (void)unlink(tmp->s);
        (void)spool_body_sync_failed(b, ebody, err);
        goto out;
    }
    if (ehdr != 0) {
        errno = ehdr;
        (void)hdr_fail(err, &h, anon, "sync", fd);
        goto out;
    }
    if (anon) {
        int linked = spool_path_link_temp(fd, final->s);

        close(fd);
        if (linked < 0) { /* written again, under a name */
            anon = 0;
            goto again;
        }
    } else if (close(fd) < 0) {
        (void)write_fail(err, tmp->s, "close", -1);
        goto out;
    } else if (rename(tmp->s, final->s) < 0) {
        (void)write_fail(err, tmp->s, "rename", -1);
        goto out;
    }
    if (spool_body_publish(b, err) < 0) {
        (void)unlink(final->s);
        goto out;
    }
    rc = spool_path_sync_dir(h.dir.s, err);
    if (rc < 0)
        (void)unlink(final->s); /* not accepted: the message goes */
out:
    arena_destroy(a);
    return rc;
}

int
spool_write_message(const char *spool_dir, int split, struct spool_msg *m,
                    struct spool_body *b, struct gstr *err)
{
    if (b == NULL) {
        if (spool_write_header(spool_dir, split, m, err) < 0) {
            remove_header(spool_dir, split, m->id);
            return -1;
        }
        return 0;
    }
    if (spool_body_finish(b, err) < 0)
        return -1;
    m->body_linecount = spool_body_linecount(b);
    m->body_zerocount = spool_body_zerocount(b);
    if (spool_body_max_linelength(b) > m->max_received_linelength)
        m->max_received_linelength = spool_body_max_linelength(b);
    if (write_with_body(spool_dir, split, m, b, err) < 0)
        return -1;
    spool_body_accepted(b);
    return 0;
}
