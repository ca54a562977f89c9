// Screenshot tour of the UI against the mock API (developer tool).
//   node tests/browser/shoot.mjs [outdir] [--only name]
// Starts the mock server on a free port, logs in as each role, saves PNGs,
// and prints every console error / CSP violation / failed request it sees.
import { chromium, LAUNCH } from './lib.mjs'
import fs from 'node:fs'
import { startMock } from './mock-server.mjs'

const args = process.argv.slice(2)
const out = args.find((a) => !a.startsWith('--')) || '/tmp/sanqu-shots'
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null
fs.mkdirSync(out, { recursive: true })

const mock = await startMock({ port: 0, optional: !args.includes('--no-optional') })
const browser = await chromium.launch(LAUNCH)
const problems = []

async function session(login, viewport = { width: 1366, height: 860 }) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN' })
  const page = await ctx.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[${login}] console.${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`[${login}] pageerror: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`[${login}] requestfailed: ${r.url()} ${r.failure() && r.failure().errorText}`))
  if (login) {
    await page.goto(mock.url + '/login')
    await page.fill('input[name=login]', login)
    await page.fill('input[name=password]', 'sanqu123')
    await page.click('button[type=submit]')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.waitForTimeout(300)
  }
  return { ctx, page }
}

async function shot(page, name, path, wait = 900) {
  if (only && !name.includes(only)) return
  if (path) await page.goto(mock.url + path)
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForTimeout(wait)
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true })
  console.log('saved', name)
}

try {
  {
    const { ctx, page } = await session(null)
    await shot(page, '01-login', '/login')
    await ctx.close()
  }
  {
    const { ctx, page } = await session(null, { width: 375, height: 760 })
    await shot(page, '02-login-phone', '/login')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('resident', { width: 375, height: 760 })
    await shot(page, '10-resident-mine-phone', '/portal/mine')
    await shot(page, '11-resident-new-phone', '/portal/new')
    await shot(page, '12-resident-detail-phone', '/appeals/1002')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('resident')
    await shot(page, '13-resident-new', '/portal/new')
    await shot(page, '14-resident-detail-rate', '/appeals/1002')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('collector')
    await shot(page, '20-collector', '/collector')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('handler')
    await shot(page, '30-workbench', '/workbench?queue=unit')
    await shot(page, '31-detail-handler', '/appeals/1000')
    await shot(page, '32-appeals-list', '/appeals?category=1')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('admin')
    await shot(page, '40-dashboard', '/dashboard', 1800)
    await shot(page, '41-kb', '/kb?q=电梯')
    await shot(page, '42-admin-units', '/admin/units')
    await shot(page, '43-admin-users', '/admin/users')
    await shot(page, '44-admin-categories', '/admin/categories')
    await shot(page, '45-admin-routing', '/admin/routing')
    await shot(page, '46-admin-calendar', '/admin/calendar')
    await shot(page, '47-admin-webhooks', '/admin/webhooks')
    await shot(page, '48-admin-audit', '/admin/audit')
    await shot(page, '49-kb-columns', '/kb/columns')
    await shot(page, '50-kb-answer', '/kb/answers/1')
    await shot(page, '51-detail-admin', '/appeals/1005')
    await ctx.close()
  }
  {
    const { ctx, page } = await session('auditor')
    await shot(page, '60-auditor-home', '/')
    await ctx.close()
  }
} finally {
  await browser.close()
  await mock.close()
}
if (problems.length) {
  console.log('\nPROBLEMS:')
  for (const p of [...new Set(problems)]) console.log(' ', p)
} else console.log('no console errors')
