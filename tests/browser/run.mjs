// Runs the browser tests (tests/browser/*.test.mjs) against the real server:
// one `sanqu serve` on a fresh demo database (SANQU_BIN, default ./sanqu) and
// one headless chromium shared by every test, in file order then declaration
// order (later tests may build on earlier ones: the appeal workflow is a
// chain). Screenshots go to tests/browser/screenshots/ (gitignored).
//   node tests/browser/run.mjs [name-filter]
// Prints one line per test and closes with "N passed, N failed"; exits 1 on
// any failure.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, SHOTS, chromium, LAUNCH, startServer, tests } from './lib.mjs'

const filter = process.argv[2] || process.env.BROWSER_TEST_FILTER || ''
const dir = path.join(ROOT, 'tests/browser')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort()

fs.rmSync(SHOTS, { recursive: true, force: true })
fs.mkdirSync(SHOTS, { recursive: true })

for (const f of files) {
  const before = tests.length
  await import(pathToFileURL(path.join(dir, f)).href)
  for (let i = before; i < tests.length; i++) tests[i].file = f
}

const t0 = Date.now()
let passed = 0
let failed = 0
let server = null
let browser = null

function withTimeout(p, ms, name) {
  let timer
  return Promise.race([
    p,
    new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${name}`)), ms)))
  ]).finally(() => clearTimeout(timer))
}

try {
  server = await startServer()
  browser = await chromium.launch(LAUNCH)
  console.log(`browser tests: ${server.url} (${files.length} files)`)
  const ctx = { server, browser, url: server.url, state: {} }
  for (const tc of tests) {
    if (filter && !tc.name.includes(filter) && !tc.file.includes(filter)) continue
    const s = Date.now()
    try {
      await withTimeout(Promise.resolve().then(() => tc.fn(ctx)), tc.timeout, tc.name)
      passed++
      console.log(`ok   ${tc.file} › ${tc.name} (${Date.now() - s} ms)`)
    } catch (e) {
      failed++
      console.log(`FAIL ${tc.file} › ${tc.name} (${Date.now() - s} ms)\n     ${String((e && e.stack) || e).split('\n').slice(0, 6).join('\n     ')}`)
    }
  }
} catch (e) {
  failed++
  console.log('FAIL setup: ' + ((e && e.stack) || e))
} finally {
  await browser?.close().catch(() => {})
  await server?.close().catch(() => {})
}

console.log(`browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, SHOTS)}/`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
