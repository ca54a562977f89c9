// Cached reference data shared by many views: the category tree and units.
import { api, itemsOf } from './api.js'
import { indexTree, APPEAL_STATUSES, OPEN_STATUSES, DONE_STATUSES } from './util.js'

let categoriesPromise = null
let statusesPromise = null

// The appeal statuses (all, open, done) from GET /api/v1/appeal-statuses
// into util.js's APPEAL_STATUSES / OPEN_STATUSES / DONE_STATUSES, once per
// page load (again after a failure).
export function loadStatuses() {
  if (!statusesPromise) {
    statusesPromise = api
      .get('/appeal-statuses', undefined, { quiet: true, noRedirect: true })
      .then((d) => {
        APPEAL_STATUSES.splice(0, APPEAL_STATUSES.length, ...((d && d.statuses) || []))
        OPEN_STATUSES.splice(0, OPEN_STATUSES.length, ...((d && d.open_statuses) || []))
        DONE_STATUSES.splice(0, DONE_STATUSES.length, ...((d && d.done_statuses) || []))
        return d
      })
      .catch((e) => {
        statusesPromise = null
        throw e
      })
  }
  return statusesPromise
}

// Category tree from GET /api/v1/categories (two levels), cached per page load.
export function loadCategories(force = false) {
  if (!categoriesPromise || force) {
    categoriesPromise = api
      .get('/categories')
      .then((d) => itemsOf(d))
      .catch((e) => {
        categoriesPromise = null
        throw e
      })
  }
  return categoriesPromise
}

export async function categoryIndex() {
  return indexTree(await loadCategories())
}

// Kinds that have no children by the parent rules of docs/api.md.
export const LEAF_UNIT_KINDS = new Set(['community', 'school', 'enterprise', 'department'])
export const UNIT_KINDS = ['district', 'street', 'community', 'department', 'university', 'school', 'park', 'enterprise']
export const ZONES = ['government', 'community', 'campus', 'park']
export const ROLES = ['public', 'collector', 'handler', 'unit_admin', 'district_admin', 'auditor']
// Which kinds may sit under which (docs/api.md "Parent rules").
export const CHILD_KINDS = {
  district: ['street', 'department', 'university', 'park'],
  street: ['community'],
  university: ['school'],
  park: ['enterprise'],
  community: [],
  department: [],
  school: [],
  enterprise: []
}

// Children for pickers from the public directory
// (GET /api/v1/units/directory?parent=ID: id, kind, name, parent_id,
// has_children); without a parent, the district. Pages through big parents
// (a park has thousands of enterprises).
export async function unitChildren(parentId, extra = {}) {
  const q = parentId ? { parent: parentId, limit: 500, sort: 'name', ...extra } : { limit: 500, ...extra }
  const out = []
  let cursor = null
  for (let i = 0; i < 20; i++) {
    const d = await api.get('/units/directory', { ...q, cursor })
    out.push(...itemsOf(d))
    if (!d || !d.next) break
    cursor = d.next
  }
  return out
}

// Children within the caller's scope (GET /api/v1/units?parent=ID), for admin pages.
export async function scopedUnitChildren(parentId, extra = {}) {
  const q = parentId ? { parent: parentId, limit: 500, ...extra } : { kind: 'district', limit: 500, ...extra }
  return itemsOf(await api.get('/units', q))
}

const unitCache = new Map()
export async function getUnit(id) {
  if (!id) return null
  if (!unitCache.has(id)) {
    unitCache.set(id, api.get('/units/' + encodeURIComponent(id), null, { quiet: [403, 404] }).catch(() => null))
  }
  return unitCache.get(id)
}
