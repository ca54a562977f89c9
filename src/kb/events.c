/*
 * kb events: the declared "kb.*" types, their recipients and inbox text,
 * and the publishing of a transition's event (see events.h).
 */
#include "kb/events.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

/* What kb_publish_transition() hands its callbacks as the event's record. */
struct kb_ev {
    const struct kb_answer *a;
    const char *title;
};

static int answer_recipients(const struct sq_event *ev, struct sq_audience *out, int max)
{
    int64_t ids[SQ_EVENT_MAX_AUDIENCES];
    if (max > SQ_EVENT_MAX_AUDIENCES)
        max = SQ_EVENT_MAX_AUDIENCES;
    int n = kb_store_answer_filers(ev->record_id, ids, max);
    for (int i = 0; i < n; i++)
        out[i] = (struct sq_audience){.kind = SQ_AUD_USER, .id = ids[i]};
    return n;
}

static void answer_text(const struct sq_event *ev, char *title, size_t tcap, char *body,
                        size_t bcap)
{
    const struct kb_ev *x = ev->record;
    snprintf(title, tcap, "%s", "您反映的问题有了公开答案");
    snprintf(body, bcap, "「%s」已在知识库发布，可供查阅", x && x->title ? x->title : "");
    sq_event_utf8_trim(title);
    sq_event_utf8_trim(body);
}

const struct sq_event_type kb_event_types[] = {
    {.name = "kb.answer_published",
     .summary = "an answer approved and published: the people who filed the linked appeals",
     .recipients = answer_recipients,
     .text = answer_text},
    {0},
};

enum sq_err kb_publish_transition(const struct kb_answer *a, int action, int64_t actor_id,
                                  struct sq_detail *d)
{
    char title[512];
    if (action != KB_APPROVE)
        return SQ_OK;
    kb_store_answer_title(a->id, title, sizeof title);
    struct kb_ev x = {.a = a, .title = title};
    json_t *ans = json_object();
    json_object_set_new(ans, "id", json_integer(a->id));
    json_object_set_new(ans, "title", json_string(title));
    json_object_set_new(ans, "category_id", json_integer(a->category_id));
    json_object_set_new(ans, "unit_id", json_integer(a->unit_id));
    json_object_set_new(ans, "version", json_integer(a->version));
    json_t *payload = json_pack("{s:o}", "answer", ans);
    struct sq_event ev = {
        .domain = "kb",
        .type = "answer_published",
        .record_id = a->id,
        .unit_path = a->unit_path[0] ? a->unit_path : NULL,
        .actor_id = actor_id,
        .payload = payload,
        .record = &x,
    };
    enum sq_err e = sq_event_publish(&ev, d);
    json_decref(payload);
    return e;
}
