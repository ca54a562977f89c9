// Knowledge-base API (src/kb/api.c, docs/kb.md): answers and their
// workflow, columns, volumes, search, suggestions and hot problems.
// opts passes through to request() (quiet...).
import { api, apiUrl } from '../api.js'

const id = (x) => encodeURIComponent(x)

export const listAnswers = (params, opts) => api.get('/kb/answers', params, opts)
export const getAnswer = (answerId, opts) => api.get('/kb/answers/' + id(answerId), null, opts)
export const updateAnswer = (answerId, body, opts) => api.patch('/kb/answers/' + id(answerId), body, opts)
// POST /kb/answers/{id}/{action}: submit, approve, reject, archive, restore.
export const answerAction = (answerId, action, body, opts) => api.post(`/kb/answers/${id(answerId)}/${action}`, body, opts)
// A resident says this answer solved their question (or their appeal).
export const markSolved = (answerId, body, opts) => answerAction(answerId, 'solved', body, opts)
// A draft answer made from a resolved appeal.
export const answerFromAppeal = (appealId, opts) => api.post('/kb/answers/from-appeal', { appeal_id: appealId }, opts)

export const listColumns = (params, opts) => api.get('/kb/columns', params, opts)
export const getColumn = (columnId, opts) => api.get('/kb/columns/' + id(columnId), null, opts)
export const listVolumes = (params, opts) => api.get('/kb/volumes', params, opts)
export const volumePrintUrl = (volumeId) => apiUrl(`/kb/volumes/${id(volumeId)}/print`)

// Full-text search over answers (and appeals for staff).
export const search = (params, opts) => api.get('/search', params, opts)
export const suggest = (params, opts) => api.get('/suggest', params, opts)
export const hotProblems = (params, opts) => api.get('/hot-problems', params, opts)
