/*
 * kb store for events: the SQL behind the recipients of kb events.
 */
#include <stdio.h>

#include "core/db.h"
#include "kb/events.h"

int kb_store_answer_filers(int64_t answer_id, int64_t *out, int max)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT DISTINCT coalesce(p.creator_id, p.collector_id) FROM kb_answer_appeals l JOIN "
        "appeals p ON p.id = l.appeal_id WHERE l.answer_id = ?1 AND coalesce(p.creator_id, "
        "p.collector_id) IS NOT NULL ORDER BY 1 LIMIT ?2");
    int n = 0;
    if (!st)
        return -1;
    sq_bind_int64(st, 1, answer_id);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW)
        out[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

void kb_store_answer_title(int64_t answer_id, char *buf, size_t cap)
{
    struct sq_stmt *st = sq_db_stmt("SELECT title FROM kb_answers WHERE id = ?");
    buf[0] = '\0';
    if (!st)
        return;
    sq_bind_int64(st, 1, answer_id);
    if (sq_step(st) == SQ_ROW)
        snprintf(buf, cap, "%s", sq_db_col_text(st, 0));
    sq_db_reset(st);
}
