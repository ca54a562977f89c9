// The signed-in session: user, role grants and what they allow in the UI.
// Loaded from GET /api/v1/me on page load (which also hands back the CSRF
// token) and after login. Grants decide the landing page and the top nav;
// write controls follow the permissions /me lists (can, canWrite) and, on
// a record, its allowed_actions: the UI never copies the role matrix. The
// server remains the only authority on what a user may do.
import { reactive, computed } from 'vue'
import { setCsrfToken } from './api.js'
import * as accountsApi from './accounts/api.js'

export const session = reactive({
  loaded: false,
  user: null,
  grants: [],
  // [{name, units: [unit ids, each with its subtree], all_units}] from /me
  permissions: [],
  // no permission that writes (the auditor): no write control anywhere
  readOnly: true,
  // the password was set by someone else (an admin's reset, sanqu init):
  // until the user chooses their own, the server answers every other call
  // with 403 password_change_required
  mustChange: false
})

export const roles = computed(() => new Set(session.grants.map((g) => g.role)))

export function hasRole(...names) {
  return names.some((r) => roles.value.has(r))
}

// Does the user hold permission perm (e.g. 'appeal.create', 'user.write')?
// With unitId: held on that unit itself or district-wide. A grant reaches
// its unit's subtree, which only the server can tell for other units, so
// records carry their own allowed_actions (or may_manage) for that.
export function can(perm, unitId) {
  const p = session.permissions.find((x) => x.name === perm)
  if (!p) return false
  if (unitId === undefined || unitId === null) return true
  return !!p.all_units || (p.units || []).includes(Number(unitId))
}

// Where the user holds perm: { all: true } district-wide, else the units
// (each with its subtree) of the grants that carry it; none: { units: [] }.
export function permScope(perm) {
  const p = session.permissions.find((x) => x.name === perm)
  if (!p) return { all: false, units: [] }
  return { all: !!p.all_units, units: [...new Set((p.units || []).map(Number))] }
}

// Does the user hold any permission that writes? False for the auditor.
export function canWrite() {
  return !!session.user && !session.readOnly
}

// Staff read appeals beyond their own (appeal.read: collectors, handlers,
// admins, the auditor); a resident holds only appeal.create.
export const isStaff = computed(() => can('appeal.read'))

function applyMe(me) {
  session.user = (me && me.user) || null
  session.grants = (me && me.grants) || []
  session.permissions = (me && me.permissions) || []
  session.readOnly = !(me && me.read_only === false)
  session.mustChange = !!(me && me.must_change_password)
  if (me && me.csrf_token) setCsrfToken(me.csrf_token)
  session.loaded = true
}

// Fetch /me; a 401 just means "not signed in".
export async function loadMe() {
  try {
    const me = await accountsApi.getMe({ quiet: [401], noRedirect: true })
    applyMe(me)
  } catch (e) {
    session.user = null
    session.grants = []
    session.permissions = []
    session.readOnly = true
    session.loaded = true
    setCsrfToken(null)
    if (e.status !== 401) throw e
  }
  return session.user
}

export async function login(loginName, password) {
  // {token, csrf_token, expires_at, user, grants}; the cookie carries the
  // session, the token stays unused in the browser.
  const res = await accountsApi.login({ login: loginName, password }, { noRedirect: true, quiet: [401, 422, 429] })
  if (res && res.grants) applyMe(res)
  else await loadMe()
  return session.user
}

export async function logout() {
  try {
    await accountsApi.logout({ quiet: true, noRedirect: true })
  } catch (_) {
    // already signed out server side: nothing to do
  }
  clearSession()
}

export function clearSession() {
  session.user = null
  session.grants = []
  session.permissions = []
  session.readOnly = true
  session.mustChange = false
  setCsrfToken(null)
}

// Changes the signed-in user's own password (the current one is required);
// the server ends every other session of the user and keeps this one.
export async function changePassword(current, next) {
  await accountsApi.updateUser(session.user.id, { password: next, current_password: current }, { quiet: [422] })
  session.mustChange = false
  await loadMe()
}

// Where a user lands after login, by the strongest role held.
export function homeRoute() {
  if (!session.user) return { name: 'login' }
  if (session.mustChange) return { name: 'login', query: { change: '1' } }
  if (hasRole('district_admin')) return { name: 'dashboard' }
  if (hasRole('handler', 'unit_admin')) return { name: 'workbench' }
  if (hasRole('collector')) return { name: 'collector' }
  if (hasRole('auditor')) return { name: 'audit' }
  return { name: 'portal-mine' }
}
