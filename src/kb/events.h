/*
 * kb events: what the knowledge base tells the rest of the system
 * (docs/events.md). Approving an answer publishes "kb.answer_published"
 * inside the transition's transaction; its recipients are the people who
 * filed the appeals linked to the answer (the source appeal and every
 * appeal it was used on), so a resident learns that the problem they
 * reported now has a public answer.
 */
#ifndef SQ_KB_EVENTS_H
#define SQ_KB_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "kb/kb.h"

/* The declared kb event types (app.c lists it). */
extern const struct sq_event_type kb_event_types[];

/* Publishes the event of `action` on answer a (as it was before), if the
 * action has one (approve), inside the caller's transaction. */
enum sq_err kb_publish_transition(const struct kb_answer *a, int action, int64_t actor_id,
                                  struct sq_detail *d);

/* ---- store (store_events.c) ---- */

/* The people who filed the appeals linked to the answer (creator, else
 * collector; anonymous appeals have nobody), distinct, at most max.
 * Returns the count, -1 on a database error. */
int kb_store_answer_filers(int64_t answer_id, int64_t *out, int max);
/* The answer's title into buf ("" when missing). */
void kb_store_answer_title(int64_t answer_id, char *buf, size_t cap);

#endif
