/*
 * kb/perms: what each permission of this domain allows and which roles hold
 * it within their unit subtree (core/auth.h). The district admin holds every
 * permission (sq_perms_check); docs/api.md describes the matrix.
 */
#include "kb/perms.h"

const struct sq_perm kb_perms[] = {
    [KB_PERM_WRITE] = {.writes = true,
                       .name = "kb.write",
                       .zh = "撰写知识库答案",
                       .en = "write knowledge-base answers",
                       .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) | SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [KB_PERM_PUBLISH] = {.writes = true,
                         .name = "kb.publish",
                         .zh = "审核发布答案，管理专栏和汇编",
                         .en = "review and publish answers, manage columns and volumes",
                         .roles =
                             SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) | SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [KB_PERM__MAX] = {0},
};
