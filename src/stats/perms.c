/*
 * stats/perms: what each permission of this domain allows and which roles hold
 * it within their unit subtree (core/auth.h). The district admin holds every
 * permission (sq_perms_check); docs/api.md describes the matrix.
 */
#include "stats/perms.h"

const struct sq_perm stats_perms[] = {
    [STATS_PERM_READ] = {.name = "stats.read",
                         .zh = "查看考核指标、排名和热点问题",
                         .en = "read KPIs, rankings and hot problems",
                         .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) | SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [STATS_PERM__MAX] = {0},
};
