/*
 * app: the list of every domain's route table, permission table and event
 * table. Adding a domain = a line in each list here; the router,
 * `sanqu routes`, `sanqu openapi` and the permission matrix test walk the
 * route and permission lists, the event registry (core/events.c) the event
 * list.
 */
#include "core/events.h"
#include "core/http.h"
#include "core/log.h"
#include "core/rcache.h"
#include "core/writer.h"
#include "appeals/appeals.h"
#include "appeals/sched.h"
#include "notify/notify.h"
#include "kb/kb.h"
#include "kb/search_engine.h"
#include "tasks/tasks.h"
#include "units/paths.h"

extern const struct sq_route core_routes[];
extern const struct sq_route accounts_routes[];
extern const struct sq_route units_routes[];
extern const struct sq_route appeals_routes[];
extern const struct sq_route appeals_meta_routes[];
extern const struct sq_route appeals_calendar_routes[];
extern const struct sq_route notify_routes[];
extern const struct sq_route kb_routes[];
extern const struct sq_route stats_routes[];
extern const struct sq_route open311_routes[];
extern const struct sq_route tasks_routes[];

extern const struct sq_perm units_perms[];
extern const struct sq_perm accounts_perms[];
extern const struct sq_perm appeals_perms[];
extern const struct sq_perm kb_perms[];
extern const struct sq_perm stats_perms[];
extern const struct sq_perm tasks_perms[];

/* Every domain's permissions (core/auth collects them). */
const struct sq_perm *const sq_perm_tables[] = {
    core_perms,  units_perms, accounts_perms, appeals_perms,
    stats_perms, kb_perms,    tasks_perms,    NULL,
};

const struct sq_route *const sq_route_tables[] = {
    core_routes,         accounts_routes,         units_routes,  appeals_routes,
    appeals_meta_routes, appeals_calendar_routes, notify_routes, kb_routes,
    stats_routes,        open311_routes,          tasks_routes,  NULL,
};

/* The event types each domain publishes, with their recipients
 * (core/events.h, docs/events.md). */
extern const struct sq_event_type appeals_event_types[];
extern const struct sq_event_type kb_event_types[];
extern const struct sq_event_type tasks_event_types[];

const struct sq_event_type *const sq_event_tables[] = {
    appeals_event_types,
    kb_event_types,
    tasks_event_types,
    NULL,
};

/* The copies of units.path each domain keeps, rewritten by a unit move
 * (units/paths.h). */
extern const struct sq_unit_path_copy appeals_unit_paths[];
extern const struct sq_unit_path_copy kb_unit_paths[];
extern const struct sq_unit_path_copy tasks_unit_paths[];

const struct sq_unit_path_copy *const sq_unit_path_tables[] = {
    appeals_unit_paths,
    kb_unit_paths,
    tasks_unit_paths,
    NULL,
};

/* Background work of the domains (schedulers, outboxes): started after the
 * database is open, stopped after the HTTP server has drained. */
void sq_app_init(void);
void sq_app_start(const struct sq_config *c);
void sq_app_stop(void);

/* Before the database opens: per-connection hooks. */
void sq_app_init(void)
{
    kb_search_engine_init(); /* the FTS tokenizer and ranking on every connection */
}

void sq_app_start(const struct sq_config *c)
{
    if (sq_writer_start())
        sq_fatal("cannot start the writer thread");
    notify_start(c);        /* inbox + outbox subscribers, webhook sender, retention */
    appeals_sched_start(c); /* warnings, overdue, escalation, closing */
    tasks_sched_start(c);   /* the same for tracked tasks */
    if (c->kb_index)
        kb_indexer_start();
}

void sq_app_stop(void)
{
    /* producers first: the writer's last jobs still reach the subscribers */
    appeals_sched_stop();
    tasks_sched_stop();
    kb_indexer_stop();
    sq_writer_stop();
    notify_stop();
    appeals_calendar_free();
    sq_auth_cache_free();
    sq_rcache_free();
}

#include "demo/demo.h"

/* Demo generators of the domains, in dependency order. */
const sq_demo_gen_fn sq_demo_generators[] = {
    demo_appeals_generate, /* before kb: answers link to resolved appeals */
    kb_demo_generate,
    tasks_demo_generate, /* council decisions, agreement obligations ... (synthetic) */
    NULL,
};
