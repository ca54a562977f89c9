/*
 * accounts/perms: what each permission of this domain allows and which roles hold
 * it within their unit subtree (core/auth.h). The district admin holds every
 * permission (sq_perms_check); docs/api.md describes the matrix.
 */
#include "accounts/perms.h"

const struct sq_perm accounts_perms[] = {
    [ACCOUNTS_PERM_USER_READ] = {.name = "user.read",
                                 .zh = "读取本辖区的账号",
                                 .en = "read the accounts of the subtree",
                                 .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                          SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                          SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                          SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [ACCOUNTS_PERM_USER_WRITE] = {.writes = true,
                                  .name = "user.write",
                                  .zh = "新建、修改账号",
                                  .en = "create and update accounts",
                                  .roles = SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                           SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [ACCOUNTS_PERM_GRANT] = {.writes = true,
                             .name = "grant",
                             .zh = "授予和撤销角色",
                             .en = "grant and revoke roles",
                             .roles = SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                      SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [ACCOUNTS_PERM_PERSONAL_READ] = {.name = "personal.read",
                                     .zh = "查看未打码的手机号和证件号（留痕）",
                                     .en = "see unmasked phone and ID numbers (audited)",
                                     .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                              SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                              SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                              SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [ACCOUNTS_PERM_AUDIT_READ] = {.name = "audit.read",
                                  .zh = "读取审计日志",
                                  .en = "read the audit log",
                                  .roles = SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                           SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [ACCOUNTS_PERM__MAX] = {0},
};
