/*
 * kb store, answered: "this answer solves my problem" (answered by the
 * knowledge base). With an appeal of the caller's that is still open (the
 * caller decided that with sq_appeal_decide(..., SQ_AA_KB_SOLVE)), the appeal is
 * resolved with a reply naming the answer and kb_answer_id set
 * (sq_appeal_kb_solved, the appeals rule), through the appeals store
 * (event + KPI contribution in one transaction); the person
 * then rates it like any resolved appeal. Without an appeal (the person was
 * still typing), only the answer's deflection counter rises.
 */
#include <stdio.h>
#include <string.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/db.h"
#include "kb/kb.h"

enum sq_err kb_store_answered(int64_t answer_id, int64_t appeal_id, int64_t user_id,
                              struct sq_detail *d)
{
    struct sq_appeal before;
    struct sq_appeal_step step;
    enum sq_err e;
    char reply[400];
    if (!appeal_id) {
        if ((e = sq_db_begin(d)))
            return e;
        if ((e = kb_store_count_deflect(answer_id, d))) {
            sq_db_rollback();
            return e;
        }
        return sq_db_commit(d);
    }
    memset(&before, 0, sizeof before);
    memset(&step, 0, sizeof step);
    if ((e = appeals_store_get(appeal_id, &before, d))) {
        if (e == SQ_ENOTFOUND)
            d->field = "appeal_id";
        return e == SQ_ENOTFOUND ? sq_fail(d, SQ_EINVAL, "appeal_id", "no such appeal") : e;
    }
    json_t *ans = kb_store_answer_json(answer_id);
    snprintf(reply, sizeof reply, "已由社区答案《%.300s》解决（知识库答复）。",
             ans ? json_string_value(json_object_get(ans, "title")) : "");
    json_decref(ans);
    int64_t now = sq_clock_now();
    /* the state change is the appeals rule's (it also guards the status) */
    if ((e = sq_appeal_kb_solved(&before, answer_id, reply, user_id, now, &step, d)))
        goto out;
    if ((e = sq_db_begin(d)))
        goto out;
    e = appeals_store_apply_steps(&step, 1, d);
    if (!e)
        e = kb_store_count_deflect(answer_id, d);
    if (!e) {
        struct sq_stmt *st = sq_db_stmt("INSERT INTO kb_answer_appeals(answer_id, appeal_id, "
                                        "linked_by, created_at) VALUES (?,?,?,?) "
                                        "ON CONFLICT DO NOTHING");
        if (st) {
            sq_bind_int64(st, 1, answer_id);
            sq_bind_int64(st, 2, appeal_id);
            sq_bind_int64(st, 3, user_id);
            sq_bind_int64(st, 4, now);
            e = sq_db_exec_stmt(st, d);
        }
    }
    if (e)
        sq_db_rollback();
    else
        e = sq_db_commit(d);
out:
    sq_appeal_step_cleanup(&step);
    sq_appeal_cleanup(&before);
    return e;
}
