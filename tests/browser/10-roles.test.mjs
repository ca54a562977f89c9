// Every demo role signs in, lands on its own home, sees its own nav, and
// every page of that nav renders without a console error (screenshots of
// each under tests/browser/screenshots/).
import assert from 'node:assert/strict'
import { test, newPage, login, loginForm, shot, settle, assertClean } from './lib.mjs'

const HOMES = {
  admin: '/dashboard',
  supervisor: '/dashboard',
  auditor: '/audit',
  street_admin: '/workbench',
  street_handler: '/workbench',
  community_admin: '/workbench',
  community_handler: '/workbench',
  community2_handler: '/workbench',
  gridworker: '/collector',
  dept_handler: '/workbench',
  univ_handler: '/workbench',
  park_handler: '/workbench',
  resident: '/portal/mine',
  student: '/portal/mine',
  enterprise: '/portal/mine'
}
// Nav entries a role must (and must not) see.
const NAV = {
  admin: [['领导驾驶舱', '工作台', '系统管理'], ['代办登记']],
  auditor: [['审计日志', '诉求查询'], ['工作台', '系统管理']],
  community_handler: [['工作台', '诉求查询'], ['代办登记', '系统管理']],
  community_admin: [['工作台', '领导驾驶舱', '系统管理'], ['代办登记']],
  gridworker: [['代办登记'], ['系统管理', '领导驾驶舱']],
  resident: [['我要反映', '我的诉求'], ['系统管理', '工作台']]
}

test('login page renders under the strict CSP without errors', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await page.goto(url + '/login')
  await page.waitForSelector('input[name=login]')
  assert.match(await page.textContent('h2'), /登录/)
  await shot(page, 'login')
  // wrong password: a clear zh-CN message, no console error besides the 401
  await page.fill('input[name=login]', 'resident')
  await page.fill('input[name=password]', 'wrong-password')
  await page.click('button[type=submit]')
  await page.waitForSelector('.el-alert--error')
  assert.match(await page.textContent('.el-alert--error'), /账号或密码错误/)
  page.problems = page.problems.filter((p) => !/status of 401/.test(p))
  assertClean(page)
  await ctx.close()
})

// Roles whose every nav page is visited (the others: their home only; the
// pages are the same components, scoped by the server). One browser context
// for all (signing in again replaces the session cookie), so the assets are
// loaded and compiled once.
const TOUR = new Set(['admin', 'auditor', 'street_admin', 'community_handler', 'resident'])

test('every demo role lands on its own home; nav pages render', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  for (const [user, home] of Object.entries(HOMES)) {
    // one role signs in through the form, the others through the API
    if (user === 'community_handler') {
      await ctx.clearCookies()
      await loginForm(page, url, user)
    } else {
      await login(page, url, user)
    }
    await page.waitForURL('**' + home + '*')
    await page.waitForSelector('header .el-menu-item')
    await settle(page, 150)
    await shot(page, `role-${user}-home`)
    const header = await page.textContent('header')
    const [shown, hidden] = NAV[user] || [[], []]
    for (const s of shown) assert.ok(header.includes(s), `${user} should see ${s}`)
    for (const s of hidden) assert.ok(!header.includes(s), `${user} should not see ${s}`)
    if (TOUR.has(user)) {
      const links = await page.$$eval('header .el-menu-item', (els) => els.map((e) => e.textContent.trim()))
      const active = ((await page.textContent('header .el-menu-item.is-active').catch(() => '')) || '').trim()
      for (const label of links) {
        if (label === active) continue
        await page.click(`header .el-menu-item:has-text("${label}")`)
        await settle(page, 150)
        await shot(page, `role-${user}-${label}`)
      }
    }
    assertClean(page, user)
  }
  await ctx.close()
}, { timeout: 240000 })

test('English switch translates the shell', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_handler')
  await page.waitForURL('**/workbench*')
  await page.click('.user-btn')
  await page.click('.el-dropdown-menu__item:has-text("English")')
  await page.waitForSelector('header:has-text("Workbench")')
  await settle(page)
  await shot(page, 'english-workbench')
  assert.ok((await page.textContent('header')).includes('Workbench'))
  assertClean(page)
  await ctx.close()
})
