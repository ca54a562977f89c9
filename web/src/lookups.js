// Cached reference data shared by many views: the category tree and units.
import { itemsOf } from './api.js'
import { listCategories } from './meta/api.js'
import * as unitsApi from './units/api.js'
import { indexTree } from './util.js'

let categoriesPromise = null

// Category tree from GET /api/v1/categories (two levels), cached per page load.
export function loadCategories(force = false) {
  if (!categoriesPromise || force) {
    categoriesPromise = listCategories()
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

// Unit kinds, zones, roles and statuses are the server's: see enums.js.

// Children for pickers from the public directory
// (GET /api/v1/units/directory?parent=ID: id, kind, name, parent_id,
// has_children); without a parent, the district. Pages through big parents
// (a park has thousands of enterprises).
export async function unitChildren(parentId, extra = {}) {
  const q = parentId ? { parent: parentId, limit: 500, sort: 'name', ...extra } : { limit: 500, ...extra }
  const out = []
  let cursor = null
  for (let i = 0; i < 20; i++) {
    const d = await unitsApi.unitDirectory({ ...q, cursor })
    out.push(...itemsOf(d))
    if (!d || !d.next) break
    cursor = d.next
  }
  return out
}

// Children within the caller's scope (GET /api/v1/units?parent=ID), for admin pages.
export async function scopedUnitChildren(parentId, extra = {}) {
  const q = parentId ? { parent: parentId, limit: 500, ...extra } : { kind: 'district', limit: 500, ...extra }
  return itemsOf(await unitsApi.listUnits(q))
}

const unitCache = new Map()
export async function getUnit(id) {
  if (!id) return null
  if (!unitCache.has(id)) {
    unitCache.set(id, unitsApi.getUnit(id, { quiet: [403, 404] }).catch(() => null))
  }
  return unitCache.get(id)
}
