// Cached reference data shared by many views: the category tree and units.
import { api, itemsOf } from './api.js'
import { indexTree } from './util.js'

let categoriesPromise = null

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

export async function unitChildren(parentId, extra = {}) {
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
