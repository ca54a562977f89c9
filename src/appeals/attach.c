/*
 * attach: photos and PDFs on appeals. The body is the file itself; its type
 * is sniffed from the first bytes and must agree with Content-Type. Files are
 * stored content-addressed (sha256) under the data directory, written to a
 * temporary name, fsynced and renamed before the row is inserted, so a row
 * never points at a half-written file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appeals/appeals.h"
#include "core/config.h"
#include "core/http.h"
#include "core/log.h"

#define MAX_ATTACHMENTS 20

int appeals_attach(struct sq_req *r);
int appeals_attachment_get(struct sq_req *r);

/* Returns the sniffed MIME type or NULL when the bytes are none we accept. */
const char *sq_sniff_type(const unsigned char *p, size_t n);
const char *sq_sniff_type(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return "application/pdf";
    return NULL;
}

static bool safe_filename(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 120 || strstr(s, ".."))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '/' || s[i] == '\\' || s[i] == '"')
            return false;
    return true;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char tmp[1400], final[1400];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    if (access(final, F_OK) == 0)
        return 0; /* same content already stored */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) || close(fd) || rename(tmp, final)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int appeals_attach(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    int64_t id = sq_req_param_id(r, "id"), aid = 0;
    enum sq_err e =
        id ? appeals_store_get(id, &a, &d) : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such appeal");
    if (e)
        return sq_reply_err(r, e, &d);
    e = sq_appeal_decide(r->user, &a, SQ_AA_ATTACH, &d);
    sq_appeal_cleanup(&a);
    if (e)
        return sq_reply_err(r, e, &d);
    const char *ct = sq_req_header(r, "Content-Type");
    if (!r->body_len)
        return sq_reply_errf(r, SQ_EINVAL, "file", "the body must be the file (JPEG, PNG or PDF)");
    const char *sniffed = sq_sniff_type((const unsigned char *)r->body, r->body_len);
    if (!sniffed)
        return sq_reply_errf(r, SQ_EMEDIA, "file", "only JPEG, PNG and PDF files are accepted");
    if (!ct || strncmp(ct, sniffed, strlen(sniffed)))
        return sq_reply_errf(r, SQ_EMEDIA, "Content-Type",
                             "Content-Type must match the file's content (%s)", sniffed);
    const char *fn = sq_req_query(r, "filename");
    char filename[128];
    if (fn && !safe_filename(fn))
        return sq_reply_errf(r, SQ_EINVAL, "filename", "filename has characters not allowed");
    snprintf(filename, sizeof filename, "%s",
             fn                                    ? fn
             : !strcmp(sniffed, "application/pdf") ? "document.pdf"
             : !strcmp(sniffed, "image/png")       ? "photo.png"
                                                   : "photo.jpg");
    json_t *existing = appeals_store_attachments_json(id);
    size_t count = json_array_size(existing);
    json_decref(existing);
    if (count >= MAX_ATTACHMENTS)
        return sq_reply_errf(r, SQ_ECONFLICT, NULL, "an appeal holds at most %d files",
                             MAX_ATTACHMENTS);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1], dir[1200], rel[200];
    crypto_hash_sha256(h, (const unsigned char *)r->body, r->body_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(dir, sizeof dir, "%s/%.2s", sq_app_config->data_dir, hex);
    mkdir(sq_app_config->data_dir, 0750);
    mkdir(dir, 0750);
    if (write_file(dir, hex, r->body, r->body_len)) {
        sq_error("event=attachment_write_failed dir=%s errno=%d", dir, errno);
        return sq_reply_errf(r, errno == ENOSPC ? SQ_EFULL : SQ_EINTERNAL, NULL,
                             "the file could not be stored; nothing was saved");
    }
    snprintf(rel, sizeof rel, "%.2s/%s", hex, hex);
    if ((e = appeals_store_attachment_add(id, filename, sniffed, (int64_t)r->body_len, hex, rel,
                                          r->user->id, &aid, &d)))
        return sq_reply_err(r, e, &d);
    json_t *all = appeals_store_attachments_json(id), *mine = NULL, *v;
    size_t i;
    json_array_foreach(all, i, v) if (json_integer_value(json_object_get(v, "id")) == aid) mine =
        json_incref(v);
    json_decref(all);
    return sq_reply_json(r, 201, mine ? mine : json_pack("{s:I}", "id", (json_int_t)aid));
}

int appeals_attachment_get(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    char ctype[64], path[200], filename[128], full[1400];
    int64_t appeal_id = 0, id = sq_req_param_id(r, "id");
    enum sq_err e = id ? appeals_store_attachment_get(id, &appeal_id, ctype, sizeof ctype, path,
                                                      sizeof path, filename, sizeof filename, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such attachment");
    if (e || (e = appeals_store_get(appeal_id, &a, &d)))
        return sq_reply_err(r, e, &d);
    bool ok = appeals_may_read(r->user, &a); /* the appeal's own read rule */
    sq_appeal_cleanup(&a);
    if (!ok)
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "this file belongs to an appeal outside "
                             "your units");
    if (strstr(path, ".."))
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such attachment");
    snprintf(full, sizeof full, "%s/%s", sq_app_config->data_dir, path);
    FILE *f = fopen(full, "rb");
    if (!f)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "the file is missing from storage");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)n) {
        free(buf);
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "cannot read the file");
    }
    char disp[200];
    snprintf(disp, sizeof disp, "inline; filename=\"%s\"", filename);
    sq_reply_header(r, "Content-Disposition", disp);
    sq_reply_header(r, "Cache-Control", "private, max-age=3600");
    int st = sq_reply_raw(r, 200,
                          !strcmp(ctype, "image/png")    ? "image/png"
                          : !strcmp(ctype, "image/jpeg") ? "image/jpeg"
                                                         : "application/pdf",
                          buf, (size_t)n, true);
    free(buf);
    return st;
}
