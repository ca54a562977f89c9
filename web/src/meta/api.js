// District settings for intake (src/appeals/api_meta.c, api_calendar.c):
// categories, SLA policies, routing rules, the working calendar, and the
// server's enumerations (statuses, kinds, urgencies, unit kinds, roles).
import { api } from '../api.js'

const id = (x) => encodeURIComponent(x)

// GET /meta/enums and GET /appeal-statuses: the lists the UI must not copy
// (see ../enums.js).
export const getEnums = (opts) => api.get('/meta/enums', null, opts)
export const getAppealStatuses = (opts) => api.get('/appeal-statuses', null, opts)

export const listCategories = (params, opts) => api.get('/categories', params, opts)
export const createCategory = (body, opts) => api.post('/categories', body, opts)
export const updateCategory = (categoryId, body, opts) => api.patch('/categories/' + id(categoryId), body, opts)

export const listSla = (opts) => api.get('/sla', null, opts)
// PUT /sla: sets the policy of one (category, urgency), creating or replacing it.
export const putSla = (body, opts) => api.put('/sla', body, opts)
export const deleteSla = (slaId, opts) => api.del('/sla/' + id(slaId), opts)

export const listRoutingRules = (params, opts) => api.get('/routing-rules', params, opts)
export const createRoutingRule = (body, opts) => api.post('/routing-rules', body, opts)
export const updateRoutingRule = (ruleId, body, opts) => api.patch('/routing-rules/' + id(ruleId), body, opts)
export const deleteRoutingRule = (ruleId, opts) => api.del('/routing-rules/' + id(ruleId), opts)

export const getCalendar = (params, opts) => api.get('/calendar', params, opts)
export const setCalendarDay = (body, opts) => api.post('/calendar', body, opts)
export const deleteCalendarDay = (date, opts) => api.del('/calendar/' + id(date), opts)
export const putWorkingHours = (body, opts) => api.put('/calendar/hours', body, opts)
