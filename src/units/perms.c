/*
 * units/perms: what each permission of this domain allows and which roles hold
 * it within their unit subtree (core/auth.h). The district admin holds every
 * permission (sq_perms_check); docs/api.md describes the matrix.
 */
#include "units/perms.h"

const struct sq_perm units_perms[] = {
    [UNITS_PERM_READ] = {.name = "unit.read",
                         .zh = "读取本辖区的单位",
                         .en = "read the units of the subtree",
                         .roles = SQ_ROLE_BIT(SQ_ROLE_COLLECTOR) | SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                  SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [UNITS_PERM_WRITE] = {.writes = true,
                          .name = "unit.write",
                          .zh = "新建、修改、归档单位",
                          .en = "create, update and archive units",
                          .roles = SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                   SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [UNITS_PERM__MAX] = {0},
};
