// Appeals API (src/appeals/api.c, docs/api.md "Appeals"): the only place
// the UI names an appeal path. Each function returns the request's promise;
// opts passes through to request() (quiet, headers...).
import { api, attachmentUrl as attachmentPath, newIdempotencyKey } from '../api.js'

const id = (x) => encodeURIComponent(x)

// GET /appeals: queues (own, unit, mine...), filters, cursor paging.
export const listAppeals = (params, opts) => api.get('/appeals', params, opts)
export const getAppeal = (appealId, opts) => api.get('/appeals/' + id(appealId), null, opts)
// POST /appeals with an Idempotency-Key (a retried submit files once).
export const createAppeal = (body, idemKey = newIdempotencyKey(), opts) =>
  api.post('/appeals', body, { ...opts, headers: { 'Idempotency-Key': idemKey, ...(opts && opts.headers) } })
// POST /appeals/{id}/{action}: accept, transfer, resolve, extend, merge...
export const appealAction = (appealId, action, body, opts) => api.post(`/appeals/${id(appealId)}/${action}`, body, opts)
export const rateAppeal = (appealId, body, opts) => appealAction(appealId, 'rate', body, opts)
// The person's unmasked phone (audited on the server).
export const getAppealContact = (appealId, opts) => api.get(`/appeals/${id(appealId)}/contact`, null, opts)
export const uploadAttachment = (appealId, file, filename, opts) =>
  api.upload(`/appeals/${id(appealId)}/attachments`, file, { ...opts, query: { filename: filename || file.name } })
// URL of an attachment's content, for <img src> and download links.
export const attachmentUrl = (attachmentId) => attachmentPath(attachmentId)
