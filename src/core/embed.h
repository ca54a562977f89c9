/* embed: files compiled into the binary by tools/embed.c (migrations, web UI). */
#ifndef SQ_EMBED_H
#define SQ_EMBED_H
#include <stddef.h>

struct sq_embed_file {
    const char *name;          /* path relative to its root, e.g. "001_core.sql" */
    const unsigned char *data; /* NUL-terminated */
    long size;                 /* bytes, excluding the NUL */
};

extern const struct sq_embed_file sq_migrations[]; /* sorted by name */
extern const struct sq_embed_file sq_web_assets[];
extern const struct sq_embed_file sq_docs[]; /* openapi-base.json */

#endif
