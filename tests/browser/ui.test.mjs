// Browser tests of the web UI against the mock API (tests/browser/mock-server.mjs),
// driving Debian's chromium through playwright-core.
//   cd web && npm run build && node --test ../tests/browser/
// Each test uses a fresh browser context; the mock keeps state per server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { chromium, LAUNCH, login } from './lib.mjs'
import { startMock } from './mock-server.mjs'

let browser
let mock
let bare // mock without the optional endpoints

before(async () => {
  mock = await startMock({ port: 0 })
  bare = await startMock({ port: 0, optional: false })
  browser = await chromium.launch(LAUNCH)
})
after(async () => {
  await browser?.close()
  await mock?.close()
  await bare?.close()
})

// A page that records CSP violations and uncaught errors.
async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, ...opts })
  const page = await ctx.newPage()
  page.problems = []
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message))
  page.on('console', (m) => {
    const s = m.text()
    if (/Content Security Policy|Refused to/i.test(s) || /\[Vue warn\]/.test(s)) page.problems.push(s)
  })
  return { ctx, page }
}

test('login page renders under the strict CSP without errors', async () => {
  const { ctx, page } = await newPage()
  await page.goto(mock.url + '/login')
  await page.waitForSelector('input[name=login]')
  assert.match(await page.textContent('h2'), /登录/)
  assert.deepEqual(page.problems, [])
  await ctx.close()
})

test('each role lands on its own page and sees only its nav', async () => {
  const cases = [
    ['resident', '/portal/mine', ['我要反映', '我的诉求'], ['系统管理', '工作台']],
    ['collector', '/collector', ['代办登记'], ['系统管理', '领导驾驶舱']],
    ['handler', '/workbench', ['工作台', '系统管理'], ['代办登记']],
    ['admin', '/dashboard', ['领导驾驶舱', '系统管理'], ['代办登记']],
    ['auditor', '/audit', ['审计日志', '诉求查询'], ['工作台', '系统管理']]
  ]
  for (const [user, path, shown, hidden] of cases) {
    const { ctx, page } = await newPage()
    await login(page, mock.url, user)
    await page.waitForURL('**' + path + '*')
    const nav = await page.textContent('header')
    for (const s of shown) assert.ok(nav.includes(s), `${user} should see ${s}`)
    for (const s of hidden) assert.ok(!nav.includes(s), `${user} should not see ${s}`)
    assert.deepEqual(page.problems, [], user)
    await ctx.close()
  }
})

test('a guarded page redirects to login and back after signing in', async () => {
  const { ctx, page } = await newPage()
  await page.goto(mock.url + '/workbench?queue=overdue')
  await page.waitForURL('**/login?**')
  await page.fill('input[name=login]', 'handler')
  await page.fill('input[name=password]', 'sanqu123')
  await page.click('button[type=submit]')
  await page.waitForURL('**/workbench?queue=overdue')
  await page.waitForSelector('.appeal-table .el-table__row')
  // overdue rows show a red countdown
  assert.ok(await page.locator('.countdown.over').count() > 0)
  await ctx.close()
})

test('wrong password shows the server message', async () => {
  const { ctx, page } = await newPage()
  await page.goto(mock.url + '/login')
  await page.fill('input[name=login]', 'resident')
  await page.fill('input[name=password]', 'nope')
  await page.click('button[type=submit]')
  await page.waitForSelector('[role=alert]')
  assert.match(await page.textContent('[role=alert]'), /账号或密码错误/)
  await ctx.close()
})

test('resident files an appeal on a phone (cascader + lazy unit tree) and lands on its detail', async () => {
  const { ctx, page } = await newPage({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true })
  await login(page, mock.url, 'resident')
  await page.goto(mock.url + '/portal/new')
  await page.click('.el-cascader')
  await page.click('.el-cascader-node:has-text("物业管理")')
  await page.click('.el-cascader-node:has-text("电梯")')
  await page.fill('input[aria-label="标题"]', '楼道电梯经常困人')
  await page.fill('textarea[aria-label="诉求内容"]', '3栋电梯本周已经两次困人，请尽快检修。')
  await page.click('.unit-picker')
  await page.click('.el-tree-node__content:has-text("洪山区") .el-tree-node__expand-icon')
  await page.click('.el-tree-node__content:has-text("珞南街道") .el-tree-node__expand-icon')
  await page.click('.el-tree-node__content:has-text("珞狮路社区")')
  await page.fill('input[aria-label="联系电话"]', '13812345678')
  // the page must not scroll sideways at 375px
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, 'horizontal overflow ' + overflow)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/appeals\/\d+$/)
  await page.waitForSelector('h1.title')
  assert.equal(await page.textContent('h1.title'), '楼道电梯经常困人')
  assert.match(await page.textContent('.el-timeline'), /提交诉求/)
  assert.deepEqual(page.problems, [])
  await ctx.close()
})

test('handler accepts with the keyboard shortcut and adds a progress note', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'handler')
  await page.goto(mock.url + '/appeals/1000')
  await page.waitForSelector('.action-buttons')
  await page.keyboard.press('a')
  await page.waitForSelector('.el-dialog')
  await page.click('.el-dialog__footer .el-button--primary')
  await page.waitForSelector('.el-tag:has-text("已签收")')
  await page.keyboard.press('n')
  await page.waitForSelector('.el-dialog textarea')
  await page.fill('.el-dialog textarea', '已联系物业，明天上午维修。')
  await page.click('.el-dialog__footer .el-button--primary')
  await page.waitForSelector('.el-timeline:has-text("已联系物业，明天上午维修。")')
  await ctx.close()
})

test('transfer requires a target unit and a reason', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'handler')
  await page.goto(mock.url + '/appeals/1003')
  await page.waitForSelector('.action-buttons')
  await page.click('.action-buttons button:has-text("转办")')
  await page.click('.el-dialog__footer .el-button--primary')
  await page.waitForSelector('.el-dialog .el-form-item__error')
  assert.ok((await page.locator('.el-dialog .el-form-item__error').count()) >= 2)
  await ctx.close()
})

test('resident rates a resolved appeal', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'resident')
  await page.goto(mock.url + '/appeals/1002')
  await page.waitForSelector('.rating')
  for (const rate of await page.locator('.rating .el-rate').all()) await rate.locator('.el-rate__item').nth(4).click()
  await page.click('.rating .el-radio:has-text("已解决")')
  await page.click('.rating .el-radio-button:has-text("基本满意")')
  await page.click('.rating button:has-text("提交评价")')
  await page.waitForSelector('.el-tag:has-text("已评价")')
  assert.equal(await page.locator('.rating').count(), 0)
  await ctx.close()
})

test('search snippets keep <mark> and never run markup', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'resident')
  await page.goto(mock.url + '/kb?q=' + encodeURIComponent('电梯'))
  await page.waitForSelector('.hit')
  assert.ok((await page.locator('.snippet mark').count()) > 0)
  assert.equal(await page.locator('.snippet script').count(), 0)
  assert.match(await page.textContent('.snippet'), /<script>/) // shown as text
  await ctx.close()
})

test('dashboard draws charts, exports CSV with BOM and drills down', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'admin')
  await page.waitForURL('**/dashboard')
  await page.waitForSelector('.chart canvas')
  assert.ok((await page.locator('.chart canvas').count()) >= 4)
  const card = page.locator('.chart-card', { hasText: '分类统计' })
  const [dl] = await Promise.all([page.waitForEvent('download'), card.locator('button:has-text("导出CSV")').click()])
  const text = fs.readFileSync(await dl.path(), 'utf8')
  assert.equal(text.charCodeAt(0), 0xfeff)
  assert.match(text, /^\ufeffcategory,total,/)
  // drill down from a KPI card
  await page.click('.kpi:has-text("超期数")')
  await page.waitForURL(/\/appeals\?.*overdue=1/)
  await page.waitForSelector('.appeal-table .el-table__row')
  assert.deepEqual(page.problems, [])
  await ctx.close()
})

test('optional endpoints answering 404 are hidden quietly', async () => {
  const { ctx, page } = await newPage()
  await login(page, bare.url, 'admin')
  await page.goto(bare.url + '/appeals/1000')
  await page.waitForSelector('.el-timeline')
  await page.waitForTimeout(600)
  assert.equal(await page.locator('.suggest').count(), 0)
  assert.equal(await page.locator('.el-message--error').count(), 0)
  await page.goto(bare.url + '/dashboard')
  await page.waitForSelector('.chart canvas')
  await page.waitForTimeout(300)
  assert.equal(await page.locator('text=高频问题').count(), 0)
  await page.goto(bare.url + '/kb')
  await page.waitForSelector('text=知识库暂未开放')
  await ctx.close()
})

test('language switch to English is remembered', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'handler')
  await page.waitForURL('**/workbench')
  await page.click('.user-btn')
  await page.click('.el-dropdown-menu__item:has-text("English")')
  await page.waitForSelector('header:has-text("Workbench")')
  await page.reload()
  await page.waitForSelector('header:has-text("Workbench")')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  await ctx.close()
})

test('collector "save and continue" keeps category and location', async () => {
  const { ctx, page } = await newPage()
  await login(page, mock.url, 'collector')
  await page.waitForURL('**/collector')
  await page.click('.el-cascader')
  await page.click('.el-cascader-node:has-text("市政设施")')
  await page.click('.el-cascader-node:has-text("停车")')
  await page.fill('input[aria-label="标题"]', '消防通道被占')
  await page.fill('textarea[aria-label="诉求内容"]', '晚上消防通道停满私家车。')
  await page.click('.unit-picker')
  await page.click('.el-tree-node__content:has-text("洪山区") .el-tree-node__expand-icon')
  await page.click('.el-tree-node__content:has-text("关山街道") .el-tree-node__expand-icon')
  await page.click('.el-tree-node__content:has-text("光谷社区")')
  // contact is required in collector mode
  await page.click('button:has-text("保存并继续")')
  await page.waitForSelector('.el-form-item__error')
  await page.fill('input[aria-label="联系人"]', '刘阿姨')
  await page.fill('input[aria-label="联系电话"]', '13987654321')
  await page.click('button:has-text("保存并继续")')
  await page.waitForSelector('.filed li')
  assert.match(await page.textContent('.filed'), /消防通道被占/)
  assert.equal(await page.inputValue('input[aria-label="标题"]'), '')
  assert.match(await page.inputValue('.el-cascader input'), /停车/)
  assert.match(await page.innerText('.unit-picker'), /光谷社区/)
  await ctx.close()
})
