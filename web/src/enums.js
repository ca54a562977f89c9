// The server's enumerations: which appeal statuses exist, which are open and
// which done (GET /api/v1/appeal-statuses), and (GET /api/v1/meta/enums)
// appeal kinds, urgencies, channels, category
// kinds, unit kinds with their parent kind, zones, roles with their rank and
// the declared event types.
// The UI never copies these lists; their labels live in the i18n files,
// keyed by the server's names (status.*, kind.*, urgency.*, unitKind.*,
// zone.*, role.*). Loaded once per page load (main.js starts it); the lists
// are empty until then, and views that build forms from them await loadEnums().
import { reactive } from 'vue'
import { getEnums, getAppealStatuses } from './meta/api.js'

export const enums = reactive({
  loaded: false,
  appealStatuses: [], // names, in workflow order
  openStatuses: [], // the statuses still owed work
  doneStatuses: [], // handled with a reply (resolved, evaluated, closed)
  appealKinds: [],
  urgencies: [],
  channels: [],
  categoryKinds: [],
  unitKinds: [], // names
  parentKind: {}, // unit kind -> the kind its parent must have (null: a root)
  zones: [],
  roles: [], // names, public first
  roleRank: {}, // role -> rank: an admin grants roles ranked at or below their own
  eventTypes: [] // declared event names ('appeal.accept', ...), for webhook subscriptions
})

let loading = null

export function loadEnums() {
  if (!loading) {
    const quiet = { quiet: true, noRedirect: true }
    loading = Promise.all([getEnums(quiet), getAppealStatuses(quiet)])
      .then(([d, st]) => {
        Object.assign(enums, {
          appealStatuses: st.statuses || [],
          openStatuses: st.open_statuses || [],
          doneStatuses: st.done_statuses || [],
          appealKinds: d.appeal_kinds || [],
          urgencies: d.urgencies || [],
          channels: d.channels || [],
          categoryKinds: d.category_kinds || [],
          unitKinds: (d.unit_kinds || []).map((k) => k.name),
          parentKind: Object.fromEntries((d.unit_kinds || []).map((k) => [k.name, k.parent])),
          zones: d.zones || [],
          roles: (d.roles || []).map((r) => r.name),
          roleRank: Object.fromEntries((d.roles || []).map((r) => [r.name, r.rank])),
          eventTypes: d.event_types || [],
          loaded: true
        })
        return enums
      })
      .catch((e) => {
        loading = null
        throw e
      })
  }
  return loading
}

export const isOpenStatus = (status) => enums.openStatuses.includes(status)
export const isDoneStatus = (status) => enums.doneStatuses.includes(status)

// The kinds that may sit under a unit of kind k, and whether k has any.
export const childKinds = (k) => enums.unitKinds.filter((c) => enums.parentKind[c] === k)
export const isLeafUnitKind = (k) => enums.loaded && childKinds(k).length === 0
