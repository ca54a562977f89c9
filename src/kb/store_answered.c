/*
 * kb store, answered: "this answer solves my problem" (answered by the
 * knowledge base). With an appeal of the caller's that is still open (the
 * caller decided that with sq_appeal_decide(..., SQ_AA_KB_SOLVE)), the appeal is
 * resolved with a reply naming the answer and kb_answer_id set, through the
 * appeals store (event + KPI contribution in one transaction); the person
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
    struct sq_appeal before, after;
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
    memset(&after, 0, sizeof after);
    if ((e = appeals_store_get(appeal_id, &before, d))) {
        if (e == SQ_ENOTFOUND)
            d->field = "appeal_id";
        return e == SQ_ENOTFOUND ? sq_fail(d, SQ_EINVAL, "appeal_id", "no such appeal") : e;
    }
    /* kept as a guard against a caller that skipped the rule */
    if (sq_appeal_next_status(SQ_AA_KB_SOLVE, before.status) < 0) {
        e = sq_fail(d, SQ_ETRANSITION, "appeal_id",
                    "the appeal is %s; only an open appeal can be answered by the knowledge base",
                    sq_appeal_status_name(before.status));
        goto out;
    }
    json_t *ans = kb_store_answer_json(answer_id);
    snprintf(reply, sizeof reply, "已由社区答案《%.300s》解决（知识库答复）。",
             ans ? json_string_value(json_object_get(ans, "title")) : "");
    json_decref(ans);
    sq_appeal_copy(&after, &before);
    int64_t now = sq_clock_now();
    after.status = SQ_AS_RESOLVED;
    if (!after.accepted_at)
        after.accepted_at = now;
    after.resolved_at = now;
    after.kb_answer_id = answer_id;
    after.updated_at = now > before.updated_at ? now : before.updated_at + 1;
    sq_appeal_set(&after.reply, reply);
    if ((e = sq_db_begin(d)))
        goto out;
    json_t *data =
        json_pack("{s:I,s:b}", "kb_answer_id", (json_int_t)answer_id, "answered_by_kb", 1);
    e = appeals_store_apply(&before, &after, SQ_AA_RESOLVE, user_id,
                            "answered by the knowledge base", data, d);
    json_decref(data);
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
    sq_appeal_cleanup(&before);
    sq_appeal_cleanup(&after);
    return e;
}
