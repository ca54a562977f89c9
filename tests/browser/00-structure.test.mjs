// The web tree's structure (issue 11, item 9), checked on the sources; no
// browser needed, and only the last check asks the server:
//   - views and components name no API path: requests go through the
//     per-domain modules web/src/<domain>/api.js;
//   - every i18n key a source file uses exists in zh-CN and in English, the
//     two languages hold the same keys, and no key is defined by two domains;
//   - the admin pages build their create/edit forms with useEditDialog, and
//     only the nav and page access test role names (write controls ask /me's
//     permissions);
//   - no source file copies a list the server owns (statuses, kinds,
//     urgencies, unit kinds, zones, roles), and each such name has a label in
//     both languages.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, test } from './lib.mjs'

const SRC = path.join(ROOT, 'web/src')

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (/\.(vue|js)$/.test(e.name)) out.push(p)
  }
  return out
}
const rel = (p) => path.relative(SRC, p)
const files = walk(SRC)
const isApiModule = (p) => rel(p) === 'api.js' || /^[a-z]+\/api\.js$/.test(rel(p))
const isI18n = (p) => rel(p) === 'i18n.js' || /^[a-z]+\/i18n\.js$/.test(rel(p))

// Code without comments (HTML, block and line comments), so that a view's
// opening paragraph may still say which endpoint it reads.
function code(p) {
  let s = fs.readFileSync(p, 'utf8')
  s = s.replace(/<!--[\s\S]*?-->/g, '')
  s = s.replace(/\/\*[\s\S]*?\*\//g, '')
  s = s.replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
  return s
}

function fail(problems, what) {
  if (problems.length) throw new Error(`${what}:\n  ` + problems.slice(0, 30).join('\n  ') + (problems.length > 30 ? `\n  ... ${problems.length - 30} more` : ''))
}

// The first path segments of the API, read from the domain modules.
function apiSegments() {
  const segs = new Set()
  for (const p of files.filter(isApiModule)) {
    for (const m of code(p).matchAll(/['"`]\/([a-z][a-z0-9-]*)/g)) segs.add(m[1])
  }
  return segs
}

// Pages of the UI (router.js and a domain's routes.js): '/appeals' is a page
// as well as a resource.
function uiSegments() {
  const segs = new Set()
  for (const p of files.filter((f) => rel(f) === 'router.js' || /^[a-z]+\/routes\.js$/.test(rel(f)))) {
    for (const m of code(p).matchAll(/path:\s*'\/?([a-z][a-z0-9-]*)/g)) segs.add(m[1])
  }
  return segs
}

test('views and components name no API path (requests go through web/src/<domain>/api.js)', async () => {
  const api = apiSegments()
  const ui = uiSegments()
  const apiOnly = [...api].filter((s) => !ui.has(s))
  if (api.size < 15) throw new Error('too few API paths found in the domain modules: ' + [...api].join(' '))
  const problems = []
  for (const p of files) {
    if (isApiModule(p) || isI18n(p)) continue
    const s = code(p)
    const lines = s.split('\n')
    lines.forEach((line, i) => {
      const at = `${rel(p)}:${i + 1}: ${line.trim().slice(0, 100)}`
      if (/\/api\/v1\b|['"`]\/api\//.test(line)) problems.push(at + '  (an /api/ path)')
      if (/\bapi\.(get|post|patch|put|del|upload)\s*\(|\brequest\s*\(\s*['"]/.test(line)) problems.push(at + '  (a request outside the domain modules)')
      for (const seg of apiOnly) {
        if (new RegExp(`['"\`]/${seg}(?![a-z0-9-])`).test(line)) problems.push(at + `  (the API path /${seg})`)
      }
    })
    // the client itself is for the domain modules; views may use its helpers
    for (const m of s.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[./]*api\.js'/g)) {
      const names = m[1].split(',').map((x) => x.trim().split(/\s+as\s+/)[0]).filter(Boolean)
      const bad = names.filter((n) => ['api', 'request', 'apiUrl'].includes(n))
      if (bad.length && rel(p).endsWith('.vue')) problems.push(`${rel(p)}: imports ${bad.join(', ')} from api.js`)
    }
  }
  fail(problems, 'hard-coded API paths outside web/src/<domain>/api.js')
})

async function loadDomains() {
  const dirs = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && fs.existsSync(path.join(SRC, e.name, 'i18n.js')))
  const out = {}
  for (const d of dirs) out[d.name] = (await import(pathToFileURL(path.join(SRC, d.name, 'i18n.js')).href)).default
  return out
}

// Keys a source file names literally: t('k'), t("k"), and the title/label
// keys of route and menu tables.
function usedKeys(p) {
  const s = code(p)
  const keys = new Set()
  for (const m of s.matchAll(/\bt\(\s*(['"])([A-Za-z][\w.]*\w)\1/g)) keys.add(m[2])
  for (const m of s.matchAll(/\b(?:title|label):\s*'([a-z][A-Za-z]*\.[\w.]*\w)'/g)) keys.add(m[1])
  return keys
}

test('i18n: each domain file has both languages, no key twice, every used key in zh-CN and English', async () => {
  const domains = await loadDomains()
  const problems = []
  const seen = new Map()
  for (const [name, d] of Object.entries(domains)) {
    const zh = d['zh-CN'] || {}
    const en = d.en || {}
    if (!Object.keys(zh).length) problems.push(`${name}/i18n.js: no zh-CN strings`)
    for (const k of Object.keys(zh)) if (!(k in en)) problems.push(`${name}/i18n.js: ${k} has no English`)
    for (const k of Object.keys(en)) if (!(k in zh)) problems.push(`${name}/i18n.js: ${k} has no zh-CN`)
    for (const k of Object.keys(zh)) {
      if (seen.has(k)) problems.push(`${k} defined by ${seen.get(k)} and ${name}`)
      seen.set(k, name)
    }
  }
  // the core module merges every domain's file, whatever its name
  if (!code(path.join(SRC, 'i18n.js')).includes("import.meta.glob('./*/i18n.js'")) problems.push('i18n.js does not merge every <domain>/i18n.js')
  let used = 0
  for (const p of files) {
    if (isI18n(p)) continue
    for (const k of usedKeys(p)) {
      used++
      if (!seen.has(k)) problems.push(`${rel(p)}: key ${k} is in no i18n file`)
    }
  }
  if (used < 300) problems.push(`only ${used} key uses found: the scan is broken`)
  fail(problems, 'i18n')
})

test('admin pages build their create/edit forms with useEditDialog', async () => {
  const problems = []
  for (const f of ['Units', 'Users', 'Categories', 'RoutingRules', 'Sla', 'Webhooks', 'Calendar']) {
    const s = code(path.join(SRC, 'views/admin', f + '.vue'))
    if (!/useEditDialog\(/.test(s)) problems.push(`${f}.vue does not use useEditDialog`)
    if (/formRef\.value\.validate|createRef\.value\.validate/.test(s)) problems.push(`${f}.vue validates a form of its own`)
    if (/<el-form(?![^>]*dlg\.)[^>]*ref=/.test(s)) problems.push(`${f}.vue has a form outside the dialog composable`)
  }
  fail(problems, 'admin dialogs')
})

test('write controls follow /me permissions: no role test outside the nav and page access', async () => {
  // App.vue and AdminLayout.vue build the menus, router.js guards pages, auth.js
  // picks the landing page: those may name roles; a page's buttons may not.
  const nav = new Set(['App.vue', 'views/admin/AdminLayout.vue', 'router.js', 'auth.js'])
  const problems = []
  for (const p of files) {
    if (nav.has(rel(p)) || isI18n(p)) continue
    code(p)
      .split('\n')
      .forEach((line, i) => {
        if (/\bhasRole\s*\(|\bunitsWithRole\s*\(|\broles\.value\.has\(/.test(line)) problems.push(`${rel(p)}:${i + 1}: ${line.trim()}`)
      })
  }
  fail(problems, 'role names tested outside the nav')
})

test('no copied server lists; every server enum name has a label in both languages', async ({ url }) => {
  const res = await fetch(url + '/api/v1/meta/enums')
  if (res.status !== 200) throw new Error('GET /api/v1/meta/enums: ' + res.status)
  const e = await res.json()
  const st = await (await fetch(url + '/api/v1/appeal-statuses')).json()
  const lists = {
    status: st.statuses,
    kind: e.appeal_kinds,
    urgency: e.urgencies,
    channel: e.channels,
    'cat.kind': e.category_kinds,
    unitKind: e.unit_kinds.map((k) => k.name),
    zone: e.zones,
    role: e.roles.map((r) => r.name)
  }
  if (!st.open_statuses.length || !st.done_statuses.length) throw new Error('no open/done statuses in ' + JSON.stringify(st))
  const domains = await loadDomains()
  const zh = Object.assign({}, ...Object.values(domains).map((d) => d['zh-CN']))
  const en = Object.assign({}, ...Object.values(domains).map((d) => d.en))
  const problems = []
  for (const [prefix, names] of Object.entries(lists)) {
    for (const n of names) {
      if (!(`${prefix}.${n}` in zh)) problems.push(`no zh-CN label ${prefix}.${n}`)
      if (!(`${prefix}.${n}` in en)) problems.push(`no English label ${prefix}.${n}`)
    }
  }
  // an array literal of two or more names, all from one server list, is a copy
  // (nav and page access may name roles: the router and the menus)
  const navFiles = new Set(['router.js', 'App.vue', 'views/admin/AdminLayout.vue'])
  // choices of a query parameter that happen to be unit kinds, not the list of them
  const allowed = new Set(["views/Dashboard.vue:'community', 'street', 'department'"]) // /stats/rankings?level=
  // (event names have no labels: a webhook form shows them as they are)
  const sets = [...Object.values(lists), e.event_types].map((l) => new Set(l))
  for (const p of files) {
    if (isI18n(p)) continue
    for (const m of code(p).matchAll(/\[\s*('[a-z_.*]+'(?:\s*,\s*'[a-z_.*]+')+)\s*,?\s*\]/g)) {
      const items = m[1].split(',').map((x) => x.trim().slice(1, -1))
      const copied = sets.filter((s) => items.every((x) => s.has(x)))
      if (navFiles.has(rel(p)) && copied.length === 1 && copied[0] === sets[Object.keys(lists).indexOf('role')]) continue
      if (copied.length && !allowed.has(`${rel(p)}:${m[1]}`)) problems.push(`${rel(p)}: copies a server list: [${m[1]}]`)
    }
  }
  fail(problems, 'server enumerations')
})
