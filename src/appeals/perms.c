/*
 * appeals/perms: what each permission of this domain allows and which roles hold
 * it within their unit subtree (core/auth.h). The district admin holds every
 * permission (sq_perms_check); docs/api.md describes the matrix.
 */
#include "appeals/perms.h"

const struct sq_perm appeals_perms[] = {
    [APPEALS_PERM_CREATE] = {.writes = true,
                             .name = "appeal.create",
                             .zh = "提交诉求",
                             .en = "file an appeal",
                             .roles = SQ_ROLE_BIT(SQ_ROLE_PUBLIC) | SQ_ROLE_BIT(SQ_ROLE_COLLECTOR) |
                                      SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                      SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                      SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [APPEALS_PERM_COLLECT] = {.writes = true,
                              .name = "appeal.collect",
                              .zh = "代他人提交诉求",
                              .en = "file an appeal on someone's behalf",
                              .roles = SQ_ROLE_BIT(SQ_ROLE_COLLECTOR) |
                                       SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                       SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                       SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [APPEALS_PERM_READ] =
        {.name = "appeal.read",
         .zh = "读取本辖区的诉求（群众只看自己的，按记录判定）",
         .en = "read the appeals of the subtree (a person reads their own, decided per record)",
         .roles = SQ_ROLE_BIT(SQ_ROLE_COLLECTOR) | SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                  SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) | SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                  SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [APPEALS_PERM_HANDLE] = {.writes = true,
                             .name = "appeal.handle",
                             .zh = "受理、转办、办结等办理操作",
                             .en = "handle appeals: accept, transfer, resolve ...",
                             .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                      SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                      SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [APPEALS_PERM_SUPERVISE] = {.writes = true,
                                .name = "appeal.supervise",
                                .zh = "审批延期、复核、督办升级",
                                .en = "approve extensions, review, escalate",
                                .roles = SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                         SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [APPEALS_PERM__MAX] = {0},
};
