/*
 * demo: `sanqu init` (district + first admin) and `sanqu demo` (a synthetic
 * district at Hongshan's scale). Deterministic for a seed: the generator
 * uses its own PRNG, never the clock or rand().
 */
#ifndef SQ_DEMO_H
#define SQ_DEMO_H

#include <stdint.h>

#include "core/err.h"

struct sq_demo_opts {
    unsigned long seed;
    long appeals; /* -1 = default volume */
    long answers; /* knowledge-base answers; below 48 (the default) = 48 */
};

/* Deterministic PRNG shared by the domain generators (xorshift64*). */
struct sq_rng {
    uint64_t s;
};
void sq_rng_seed(struct sq_rng *r, uint64_t seed);
uint64_t sq_rng_next(struct sq_rng *r);
/* Uniform integer in [0, n). */
uint32_t sq_rng_below(struct sq_rng *r, uint32_t n);
double sq_rng_unit(struct sq_rng *r); /* [0,1) */

/* Creates the district unit and a district admin with a random password
 * (written to password_out, >= 24 bytes). Fails if the database has units. */
int sq_demo_init_district(const char *name, const char *admin, char *password_out,
                          struct sq_detail *d);
int sq_demo_build(const struct sq_demo_opts *o, struct sq_detail *d);

/* Demo data ids that later generators (appeals, kb) build on. */
struct sq_demo_world {
    int64_t district;
    int64_t streets[16];
    int nstreets;
    int64_t communities[200];
    int ncommunities;
    int64_t community_street[200]; /* parent street of each community */
    int64_t departments[24];
    int ndepartments;
    int64_t universities[40];
    int nuniversities;
    int64_t parks[8];
    int nparks;
    int64_t first_enterprise, last_enterprise; /* id range (parks interleave) */
    int nenterprises;
    int64_t users[64]; /* demo accounts in creation order */
    int nusers;
};

/* Generators of later domains register here (called in order, inside the
 * demo's transaction). */
typedef int (*sq_demo_gen_fn)(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                              struct sq_rng *rng, struct sq_detail *d);
extern const sq_demo_gen_fn sq_demo_generators[]; /* NULL-terminated, in app.c */

/* About three years of appeals with their timelines and KPI aggregate
 * (appeals_gen.c); o->appeals of them, 300,000 when -1, none when 0. */
int demo_appeals_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                          struct sq_rng *rng, struct sq_detail *d);

#endif
