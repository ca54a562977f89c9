/*
 * appeal events: what the appeals domain tells the rest of the system when an
 * appeal changes (docs/events.md). Every committed appeal change is one
 * "appeal.<action>" event, published by appeals_store_insert() and
 * appeals_store_apply() inside their transaction; this file declares the
 * event types with their recipients (who is told in-app, and with which
 * words) and builds the payload webhooks send.
 *
 * Rules only (the recipients are audiences, resolved to people by the inbox);
 * appeals_publish() reads the handling unit's parent for an escalation.
 */
#ifndef SQ_APPEALS_EVENTS_H
#define SQ_APPEALS_EVENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "appeals/appeals.h"
#include "core/events.h"

/* The declared appeal event types, one per action (app.c lists it). */
extern const struct sq_event_type appeals_event_types[];

/* Most audiences one appeal action has. */
#define SQ_APPEAL_MAX_AUDIENCES 4

/*
 * Who is told about `action` on appeal a (the appeal as it is after the
 * action). parent_unit_id is the parent of a's handling unit (0 = none), the
 * target of an escalation. Fills out (room for SQ_APPEAL_MAX_AUDIENCES) and
 * returns how many audiences; 0 when the action notifies nobody. The inbox
 * leaves out the actor.
 */
int sq_appeal_audiences(const struct sq_appeal *a, int action, int64_t parent_unit_id,
                        struct sq_audience *out);

/* Inbox title and body for the action (UTF-8, truncated to the buffers). */
void sq_appeal_notice_text(const struct sq_appeal *a, int action, char *title, size_t tcap,
                           char *body, size_t bcap);

/* "appeal.<action>" into buf (>= 32). */
const char *sq_appeal_event_name(int action, char *buf);

/* The payload of an appeal event (new reference): "appeal" with the appeal's
 * non-personal fields, and escalated_to_unit_id for an escalation. */
json_t *sq_appeal_event_payload(const struct sq_appeal *a, int action, int64_t parent_unit_id);

/* The whole JSON body a webhook receives for the event (new reference):
 * event, occurred_at, actor_id and the payload (sq_event_json). */
json_t *sq_appeal_webhook_body(const struct sq_appeal *a, int action, int64_t actor_id,
                               int64_t parent_unit_id, int64_t now);

/* Publishes "appeal.<action>" for a (after the change) inside the caller's
 * transaction. An error means the change must be rolled back. */
enum sq_err appeals_publish(const struct sq_appeal *a, int action, int64_t actor_id,
                            struct sq_detail *d);

#endif
