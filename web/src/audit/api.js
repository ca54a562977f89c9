// Audit API (GET /audit, served by src/accounts/api.c from src/audit/):
// the audit log, read by auditors and district admins.
import { api } from '../api.js'

export const listAudit = (params, opts) => api.get('/audit', params, opts)
