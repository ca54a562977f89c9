// Units API (src/units/api.c, docs/api.md "Units"): the scoped list for
// admin pages, the public directory for pickers, create/update/archive.
import { api } from '../api.js'

const id = (x) => encodeURIComponent(x)

// GET /units: units within the caller's scope.
export const listUnits = (params, opts) => api.get('/units', params, opts)
// GET /units/directory: the public directory (id, kind, name, parent_id, has_children).
export const unitDirectory = (params, opts) => api.get('/units/directory', params, opts)
export const getUnit = (unitId, opts) => api.get('/units/' + id(unitId), null, opts)
export const createUnit = (body, opts) => api.post('/units', body, opts)
export const updateUnit = (unitId, body, opts) => api.patch('/units/' + id(unitId), body, opts)
export const archiveUnit = (unitId, opts) => api.post(`/units/${id(unitId)}/archive`, {}, opts)
