/*
 * kb: the knowledge base (高频问题·社区答案): reusable answers to recurring
 * livelihood problems, their review workflow and version history, numbered
 * columns (专栏), volumes (汇编), Chinese full-text search over answers and
 * appeals, similar-case suggestions, hot problems and the monthly theme.
 *
 * Rules (kb.c): the answer state machine, text diff, safe highlighting,
 * the similarity query, the bounded-ranking rule, hot-problem growth. No SQL,
 * no HTTP. Store (store.c, store_hot.c, store_answered.c): the SQL. Full-text
 * search and suggestions sit behind kb/search_engine.h (SQLite FTS5:
 * search_sqlite.c). The appeals full-text index is filled off the request
 * path by the indexer thread (indexer.c).
 *
 * Invariants: kb_answers.version equals the newest kb_answer_versions row of
 * the answer (both change in one transaction); kb_answers_fts follows
 * kb_answers by triggers; appeals_fts holds exactly the appeals with
 * id <= kb_index_state('appeals').last_id.
 */
#ifndef SQ_KB_H
#define SQ_KB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/err.h"
#include "core/json.h"
#include "kb/perms.h"

/* ---- answers: status machine ---- */

enum kb_status {
    KB_DRAFT,     /* being written; editable by writers of the unit */
    KB_IN_REVIEW, /* submitted; a reviewer approves (publish) or rejects (draft) */
    KB_PUBLISHED, /* visible to everyone, searchable, suggestible */
    KB_ARCHIVED,  /* withdrawn; read-only, can be restored to draft */
    KB_STATUS__MAX
};

enum kb_action {
    KB_SUBMIT,  /* draft -> in_review (writer) */
    KB_APPROVE, /* in_review -> published (reviewer, not the author) */
    KB_REJECT,  /* in_review -> draft, with a note (reviewer) */
    KB_ARCHIVE, /* draft | in_review | published -> archived (reviewer) */
    KB_RESTORE, /* archived -> draft (reviewer) */
    KB_ACTION__MAX
};

extern const char *const kb_status_names[]; /* NULL-terminated, enum order */
const char *kb_status_name(int s);
int kb_status_parse(const char *s); /* -1 if unknown */
const char *kb_action_name(int a);
int kb_action_parse(const char *s); /* -1 if unknown */
/* The status `action` leads to from `from`, or -1 when illegal. */
int kb_next_status(int action, int from);
/* Whether the action needs kb.publish (review rights) rather than kb.write. */
bool kb_action_is_review(int action);
/* Actions legal in a status, as a new JSON array of names. */
json_t *kb_allowed_json(int status);
/* Whether an answer in this status may be edited (a published answer may,
 * by a reviewer; editing one in review sends it back to draft). */
bool kb_status_editable(int s);

/* ---- who may do what (pure: decided from the caller's grants) ---- */

/* The permission that editing an answer in status s needs on its owning
 * unit: kb.write for a draft or an answer in review, kb.publish for a
 * published or archived one (changing public text, or restoring withdrawn
 * text, is review work). */
const struct sq_perm *kb_edit_perm(int status);

struct kb_answer;
/* May u edit answer a: kb.write on its unit and kb_edit_perm(status) there.
 * The same staff, and only they, see what of an answer is not public: the
 * answer while it is a draft, in review or archived, its version history,
 * its diffs and the review note. NULL u (anonymous) may not. */
bool kb_may_edit(const struct sq_user *u, const struct kb_answer *a);

/* Why an action on an answer is refused, if it is. */
enum kb_refusal {
    KB_MAY,          /* allowed */
    KB_NO_RIGHT,     /* the action's permission is missing on the answer's unit */
    KB_ILLEGAL,      /* not from this status */
    KB_OWN_APPROVAL, /* approving one's own answer without district-level review rights */
};
/* The one decision on "may u take action on a": the handler refuses with it
 * and allowed_actions lists exactly the actions it allows. */
enum kb_refusal kb_check_action(const struct sq_user *u, const struct kb_answer *a, int action);
/* The actions u may take on a, as a new JSON array of names. */
json_t *kb_allowed_for(const struct sq_user *u, const struct kb_answer *a);

/* May u create, edit or delete a column or volume owned by the unit whose
 * path is owner_path: kb.publish on that unit or an ancestor. A
 * district-wide one is owned by the district root: district admins only. */
bool kb_may_manage(const struct sq_user *u, const char *owner_path);

/* ---- text rules ---- */

/* Diff of two texts in segments (sentences ending in 。！？；!?; or a newline):
 * a new JSON array of {"op":"eq"|"del"|"ins","text":...}, LCS-minimal over
 * segments. NULL texts count as empty. */
json_t *kb_diff_text(const char *a, const char *b);

/* The quoted terms of an FTS5 MATCH string built by sq_cjk_build_query() or
 * kb_similar_query() ("" undoubled). Returns the count; *out malloc'd,
 * release with kb_terms_free(). */
int kb_match_terms(const char *match, char ***out);
void kb_terms_free(char **terms, int n);
/* Highlighted snippet: HTML-escaped text with every occurrence of any term
 * (ASCII case-insensitive) in <mark>...</mark>, overlapping hits merged,
 * cut to max_chars characters (0 = all) starting a little before the first
 * hit, with "…" where cut. malloc'd. FTS5's own highlight() is not used:
 * with overlapping bigram tokens it repeats text between hits. */
char *kb_snippet_html(const char *text, char *const *terms, int nterms, int max_chars);
/* Appends s HTML-escaped to a growing buffer (kb_buf). */
struct kb_buf {
    char *p;
    size_t len, cap;
};
void kb_buf_add(struct kb_buf *b, const char *s, size_t n);
void kb_buf_adds(struct kb_buf *b, const char *s);
void kb_buf_addf(struct kb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kb_buf_esc(struct kb_buf *b, const char *s);
void kb_buf_free(struct kb_buf *b);

/* Similarity query for suggestions: the distinct Han bigrams (single Han
 * characters standing alone) and Latin/digit words of text, quoted and
 * joined by OR, so any shared term is a candidate and bm25 ranks by how many
 * and how rare. At most max_terms terms; common filler bigrams (问题, 希望,
 * 小区...) are skipped. malloc'd, or NULL when nothing indexable. */
char *kb_similar_query(const char *text, int max_terms);
#define KB_SIMILAR_MAX_TERMS 40

/* The bounded-ranking rule (docs/search.md): bm25 ranks at most the
 * KB_RANK_WINDOW most recent matches of a query (after filters); matches
 * beyond are reached with from/to or order=time. */
#define KB_RANK_WINDOW 1000
/* Likely duplicates (suggestions) look at the KB_SUGGEST_SCAN most recent
 * open matches when they filter by place or category: a duplicate of a
 * problem being reported is a recent appeal, and a common word among tens
 * of thousands of open appeals elsewhere no longer means reading every one
 * of their rows to find the few near the unit. */
#define KB_SUGGEST_SCAN 2000

/* Growth of a hot-problem cluster against the previous window, as a ratio
 * ((cur - prev) / max(prev, 1)). */
double kb_growth(int64_t cur, int64_t prev);
/* Cluster ranking score: count weighted by growth, so a new surge outranks
 * a steady background of the same size. */
double kb_hot_score(int64_t cur, int64_t prev);

/* ---- store: answers ---- */

struct kb_answer {
    int64_t id;
    int status;
    int version;
    int64_t category_id;
    int64_t unit_id;
    char unit_path[128];
    int64_t author_id;
    int64_t published_at;
};

enum sq_err kb_store_get(int64_t id, struct kb_answer *a, struct sq_detail *d);
/* Full answer JSON (with allowed actions, linked appeal count); NULL if missing. */
json_t *kb_store_answer_json(int64_t id);
/* Whether category_id is a top-level livelihood category. */
bool kb_store_category_ok(int64_t category_id);
/* The top-level category of any category (itself when top-level); 0 if none. */
int64_t kb_store_category_top(int64_t category_id);
json_t *kb_store_categories_json(void);
/* Inserts an answer (draft) and its version 1 from validated fields. */
enum sq_err kb_store_create(json_t *in, int64_t unit_id, const char *unit_path, int64_t author_id,
                            int64_t source_appeal_id, int64_t *id, struct sq_detail *d);
/* Applies changed fields as a new version; new_status >= 0 changes status too. */
enum sq_err kb_store_update(const struct kb_answer *a, json_t *in, int64_t editor_id,
                            int new_status, struct sq_detail *d);
enum sq_err kb_store_transition(const struct kb_answer *a, int action, int to, int64_t actor_id,
                                const char *note, struct sq_detail *d);
enum sq_err kb_store_delete(int64_t id, struct sq_detail *d);

struct kb_answer_filter {
    int status; /* -1 = published for the public; see scope */
    int64_t category_id;
    const char *tag;
    int64_t unit_id;          /* source or owning unit */
    int64_t column_id;        /* answers shown in this column issue */
    const char **scope_paths; /* drafts and answers in review visible within these */
    int nscope;
    const char **review_paths; /* every status (archived too) visible within these */
    int nreview;
    bool all_statuses; /* caller may see every status everywhere (district) */
    const char *sort;  /* validated sort name ([-]published_at, -updated_at, ...) */
};
enum sq_err kb_store_list(const struct kb_answer_filter *f, const struct sq_page *p, json_t **items,
                          int64_t *total, struct sq_detail *d);

json_t *kb_store_versions_json(int64_t id);
/* One version as JSON; NULL if missing. */
json_t *kb_store_version_json(int64_t id, int version);

/* Appeal links. The appeal's handler path is returned for authorisation. */
struct kb_appeal_ref {
    int64_t id;
    int64_t category_id;
    int64_t unit_id;
    int64_t creator_id;
    char status[24];
    char handler_unit_path[128];
    char *title, *description, *reply; /* owned; kb_appeal_ref_cleanup */
};
void kb_appeal_ref_cleanup(struct kb_appeal_ref *r);
enum sq_err kb_store_appeal_ref(int64_t appeal_id, struct kb_appeal_ref *r, struct sq_detail *d);
enum sq_err kb_store_link(int64_t answer_id, int64_t appeal_id, int64_t user_id,
                          struct sq_detail *d);
enum sq_err kb_store_unlink(int64_t answer_id, int64_t appeal_id, struct sq_detail *d);
/* Linked appeals; scope_paths limits to those subtrees unless NULL. */
json_t *kb_store_links_json(int64_t answer_id, const char **scope_paths, int nscope);
enum sq_err kb_store_count_deflect(int64_t answer_id, struct sq_detail *d);

/* ---- store: columns and volumes ---- */
/* The unit that owns a column or volume (the district root for one made
 * before owners existed). SQ_ENOTFOUND when there is no such record. */
struct kb_owner {
    int64_t unit_id;
    char path[128];
};
/* Columns (专栏) and volumes (汇编) share one implementation. */
enum kb_kind { KB_COLUMN, KB_VOLUME };
enum sq_err kb_store_owner(enum kb_kind kind, int64_t id, struct kb_owner *o, struct sq_detail *d);
/* A column or volume with its owner ("unit") and members: a column's
 * answers, a volume's chapters. full = as its managers see it: every member
 * with its status (a column: before its publish_date too); otherwise as the
 * public does: published members only (a column: NULL before its date).
 * answer_count counts the members listed. NULL if missing. */
json_t *kb_store_collection_json(enum kb_kind kind, int64_t id, bool full);
/* Who sees scheduled columns in lists: all, or those owned inside one of
 * the scope paths (the caller's kb.publish subtrees). */
struct kb_collection_filter {
    bool all;
    const char **scope_paths;
    int nscope;
};
/* Columns newest issue first (f applies; NULL: all), volumes by id (f
 * unused); answer_count counts published members. */
enum sq_err kb_store_collection_list(enum kb_kind kind, const struct kb_collection_filter *f,
                                     const struct sq_page *p, json_t **items, int64_t *total,
                                     struct sq_detail *d);
/* Creates (id 0) or updates a column or volume; answer_ids replaces the
 * list when set; unit_id (validated by the caller) sets the owner, the root
 * when absent on create. */
enum sq_err kb_store_collection_save(enum kb_kind kind, int64_t *id, json_t *in, int64_t user_id,
                                     struct sq_detail *d);
enum sq_err kb_store_collection_delete(enum kb_kind kind, int64_t id, struct sq_detail *d);
/* Checks that every id of an answer_ids array names a published answer. */
enum sq_err kb_store_check_published(json_t *ids, struct sq_detail *d);
/* The printable HTML of a volume (malloc'd, *len set): the answers of it
 * that are published now, in their current text. NULL if missing. */
char *kb_volume_print_html(int64_t id, size_t *len);

/* ---- search and suggestions: the search engine (kb/search_engine.h) ---- */
#include "kb/search_engine.h"

/* ---- hot problems and themes (store_hot.c) ---- */
struct kb_hot_query {
    int64_t from, to;      /* window; the previous window has the same length */
    const char *unit_path; /* subtree of the appeals' location, NULL = all */
    int limit;
};
enum sq_err kb_hot_run(const struct kb_hot_query *q, json_t **items, struct sq_detail *d);
enum sq_err kb_theme_create(json_t *in, int64_t user_id, int64_t *id, struct sq_detail *d);
enum sq_err kb_theme_update(int64_t id, json_t *in, struct sq_detail *d);
json_t *kb_theme_json(int64_t id);
json_t *kb_themes_json(void);

/* ---- appeals index (indexer.c: the thread; the batch is the search
 * engine's kb_index_appeals_batch) ---- */
void kb_indexer_start(void);
void kb_indexer_stop(void);

/* ---- answered by the knowledge base ---- */
/* The person behind appeal_id (its creator) says answer_id solved it: the
 * appeal is resolved as answered by the KB (then rated as usual) and the
 * answer's deflection counter rises. Without an appeal, only the counter. */
enum sq_err kb_store_answered(int64_t answer_id, int64_t appeal_id, int64_t user_id,
                              struct sq_detail *d);

/* ---- demo (demo.c) ---- */
struct sq_demo_opts;
struct sq_demo_world;
struct sq_rng;
/* The demo answer library, columns and volumes (a sq_demo_gen_fn). */
int kb_demo_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                     struct sq_rng *rng, struct sq_detail *d);
/* The demo's own statements (store_demo.c). The category with this code, 0
 * if none; a unit's name and path ("" if none; -1 only on a database
 * error); up to max (<= 5) newest resolved appeals of a top-level category
 * not linked to an answer yet (count); an answer set to status as if
 * reviewed by reviewer at pub, with its counters (0 or -1). */
int64_t kb_demo_store_category_id(const char *code);
int kb_demo_store_unit(int64_t unit, char *name, size_t name_cap, char *path, size_t path_cap,
                       struct sq_detail *d);
int kb_demo_store_unlinked_appeals(int64_t cat, int64_t *ids, int max);
int kb_demo_store_publish(int64_t id, const char *status, int64_t reviewer, int64_t pub,
                          int deflect, int reuse, struct sq_detail *d);

#endif
