// Shared bits for the browser tests: the real sanqu server on a fresh demo
// database, playwright-core (a devDependency of web/, installed by `npm ci`)
// driving Debian's chromium, console-error tracking, screenshots and a tiny
// test registry that tests/browser/run.mjs executes.
import { createRequire } from 'node:module'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SHOTS = path.join(ROOT, 'tests/browser/screenshots')
export const PASSWORD = 'sanqu-demo'

// The tests live outside web/, so resolve playwright-core from web/node_modules.
const require = createRequire(path.join(ROOT, 'web/package.json'))
export const { chromium } = require('playwright-core')

export const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']
}

// ---- test registry ----
export const tests = []
export function test(name, fn, opts = {}) {
  tests.push({ name, fn, file: opts.file || '', timeout: opts.timeout || 60000 })
}

// ---- the server ----
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

// Starts `sanqu serve` on 127.0.0.1 port 0 with a fresh demo database.
export async function startServer() {
  const bin = path.resolve(ROOT, process.env.SANQU_BIN || './sanqu')
  if (!fs.existsSync(bin)) throw new Error(`no server binary at ${bin} (make sanqu, or set SANQU_BIN)`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanqu-browser-'))
  const db = path.join(dir, 'demo.db')
  const help = spawnSync(bin, ['demo', '--help'], { encoding: 'utf8' })
  const demoArgs = ['demo', '--db', db]
  if (/--appeals/.test((help.stdout || '') + (help.stderr || ''))) demoArgs.push('--appeals', process.env.SANQU_DEMO_APPEALS || '2000')
  const demo = spawnSync(bin, demoArgs, { encoding: 'utf8' })
  if (demo.status !== 0) throw new Error('sanqu demo failed: ' + demo.stderr + demo.stdout)
  const portFile = path.join(dir, 'port')
  const log = fs.openSync(path.join(dir, 'server.log'), 'w')
  const proc = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--port_file', portFile, '--quiet', 'true'], {
    stdio: ['ignore', log, log]
  })
  let exited = null
  proc.on('exit', (code) => (exited = code))
  let port = null
  for (let i = 0; i < 200 && !port; i++) {
    if (exited !== null) break
    try {
      const s = fs.readFileSync(portFile, 'utf8').trim()
      if (/^\d+$/.test(s)) port = Number(s)
    } catch (_) {
      // not yet written
    }
    if (!port) await sleep(50)
  }
  if (!port) {
    proc.kill('SIGKILL')
    throw new Error('sanqu serve did not start: ' + fs.readFileSync(path.join(dir, 'server.log'), 'utf8'))
  }
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    dir,
    routes: await routesOf(bin),
    close: async () => {
      if (exited === null) {
        proc.kill('SIGTERM')
        for (let i = 0; i < 60 && exited === null; i++) await sleep(50)
        if (exited === null) proc.kill('SIGKILL')
      }
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

// The server's route table (`sanqu routes`): which optional features exist.
async function routesOf(bin) {
  const r = spawnSync(bin, ['routes'], { encoding: 'utf8' })
  return new Set(
    (r.stdout || '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length >= 2)
      .map((p) => p[0] + ' ' + p[1])
  )
}

// ---- pages ----
// Endpoints the UI may call before they exist; a 404 there is expected
// (the panel hides) and not a console error.
const OPTIONAL = /\/api\/v1\/(stats|hot-problems|search|suggest|kb|calendar|inbox|webhooks)(\/|\?|$)/

// A page that records every console error, uncaught exception and CSP
// report. `allow(status, url)` lets a test accept an expected failed request.
export async function newPage(browser, opts = {}) {
  const { allow, ...ctxOpts } = opts
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true, ...ctxOpts })
  const page = await ctx.newPage()
  page.problems = []
  page.failed = []
  page.on('response', (res) => {
    if (res.status() >= 400) page.failed.push({ status: res.status(), url: res.url() })
  })
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message))
  page.on('console', (m) => {
    const text = m.text()
    if (/\[Vue warn\]/.test(text)) return page.problems.push(text)
    if (m.type() !== 'error') return
    if (/Failed to load resource/.test(text)) {
      const url = (m.location() && m.location().url) || ''
      const st = Number((text.match(/status of (\d+)/) || [])[1] || 0)
      if (st === 401 && /\/api\/v1\/me$/.test(url)) return // not signed in yet
      if (st === 404 && OPTIONAL.test(url)) return // feature not merged yet
      if (allow && allow(st, url)) return
      return page.problems.push(`${text} ${url}`)
    }
    page.problems.push(text)
  })
  return { ctx, page }
}

// Signs in through the API (the context's cookie jar gets the session
// cookie) and opens the app at "/", which sends the role to its home.
export async function login(page, base, user, password = PASSWORD) {
  // a signed-in cookie would make the login POST need the CSRF header
  await page.context().clearCookies()
  const res = await page.request.post(base + '/api/v1/auth/login', { data: { login: user, password } })
  if (!res.ok()) throw new Error(`login ${user}: ${res.status()}`)
  await page.goto(base + '/')
  await page.waitForSelector('header.topbar', { timeout: 15000 })
}

// Signs in through the login form.
export async function loginForm(page, base, user, password = PASSWORD) {
  await page.goto(base + '/login')
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 })
}

let shotSeq = 0
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true })
  const file = path.join(SHOTS, `${String(++shotSeq).padStart(3, '0')}-${name}.png`)
  await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {})
  await page.screenshot({ path: file, fullPage: true })
  return file
}

// Waits until no request is in flight for a moment (ECharts, lazy panels).
export async function settle(page, ms = 250) {
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {})
  if (ms) await page.waitForTimeout(ms)
}

export function assertClean(page, label = '') {
  if (page.problems.length) throw new Error(`browser console errors${label ? ' (' + label + ')' : ''}:\n  ` + page.problems.join('\n  '))
}

// A tiny JSON API client for setup and checks (bearer token, no CSRF).
export async function apiLogin(base, user, password = PASSWORD) {
  const r = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: user, password })
  })
  if (!r.ok) throw new Error(`login ${user}: ${r.status}`)
  const { token } = await r.json()
  const call = async (method, p, body) => {
    const res = await fetch(base + '/api/v1' + p, {
      method,
      headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined
    })
    const text = await res.text()
    let data = null
    try {
      data = text ? JSON.parse(text) : null
    } catch (_) {
      data = text
    }
    return { status: res.status, data }
  }
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b || {}) }
}

// A small valid PNG (a 24x24 blue square) for the photo upload.
export function pngFile(dir) {
  const b64 =
    'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAH0lEQVR42mOQy7tDFcQwatCoQaMGjRo0atCoQQNvEAC1piouVkW28QAAAABJRU5ErkJggg=='
  const file = path.join(dir, 'photo.png')
  fs.writeFileSync(file, Buffer.from(b64, 'base64'))
  return file
}

// Picks a unit in an el-tree-select fed by /units/directory (UnitPicker),
// expanding the path by names. Only the open dropdown counts: every picker
// of a page keeps its (hidden, teleported) tree in the DOM, with the same
// unit names. An expansion that shows no child in a while (a click that
// landed while the tree re-rendered) is clicked again.
export async function pickUnit(page, trigger, pathNames, timeout = 30000) {
  await page.click(trigger)
  const nodeOf = (name) =>
    page
      .locator('.el-select-dropdown:visible .el-tree-node__content', { hasText: new RegExp('^\\s*' + name + '\\s*$') })
      .first()
  await nodeOf(pathNames[0]).waitFor({ state: 'visible', timeout })
  for (let i = 0; i < pathNames.length - 1; i++) {
    const parent = nodeOf(pathNames[i])
    const child = nodeOf(pathNames[i + 1])
    const until = Date.now() + timeout
    for (;;) {
      if (!(await child.isVisible())) await parent.locator('.el-tree-node__expand-icon').click()
      try {
        await child.waitFor({ state: 'visible', timeout: 5000 })
        break
      } catch (e) {
        if (Date.now() > until) throw e
      }
    }
  }
  await nodeOf(pathNames[pathNames.length - 1]).click()
}
