// The appeal workflow end to end, in the browser against the real server:
// a resident files an appeal with a photo in 桂林社区 and sees it in "my
// appeals"; the community handler accepts and transfers it to 珞南街道; the
// street handler accepts and resolves; the resident rates; the dashboard
// counts it; a handler of another community gets a 403 page for its URL.
// The tests share state (ctx.state) and run in order.
import assert from 'node:assert/strict'
import { test, newPage, login, shot, settle, assertClean, apiLogin, pngFile, pickUnit } from './lib.mjs'

const TITLE = '3号楼楼道灯坏了一周'
const COMMUNITY = '桂林社区'
const STREET = '珞南街道'


async function clickAction(page, label) {
  await page.click(`.actions-card .el-button:has-text("${label}")`)
  await page.waitForSelector('.el-dialog', { state: 'visible' })
}

async function confirmDialog(page, label) {
  await page.click(`.el-dialog__footer .el-button--primary:has-text("${label}")`)
  await page.waitForSelector('.el-dialog', { state: 'hidden', timeout: 10000 })
  await settle(page, 200)
}

async function statusText(page) {
  return (await page.textContent('.head-row .el-tag')).trim()
}

// The demo may hold thousands of appeals: look the new one up by keyword.
async function findInQueue(page) {
  await page.fill('.toolbar input[aria-label="关键词"]', TITLE)
  await page.click('.toolbar .el-button--primary')
  await page.waitForSelector(`.appeal-table :text("${TITLE}")`)
}

async function kpiTotal(page) {
  const txt = await page.textContent('[data-kpi="total"] .kpi-value')
  return txt.trim() === '—' ? null : Number(txt.replace(/[^\d]/g, ''))
}

test('dashboard before: the KPI cards render', async ({ browser, url, server, state }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'admin')
  await page.waitForURL('**/dashboard*')
  await page.waitForSelector('[data-kpi="total"]')
  await settle(page, 800)
  await shot(page, 'workflow-dashboard-before')
  state.hasStats = server.routes.has('GET /api/v1/stats/appeals')
  if (state.hasStats) {
    state.totalBefore = await kpiTotal(page)
    assert.ok(state.totalBefore !== null, 'the total card shows a number')
  } else {
    assert.ok(await page.isVisible('.stats-missing'), 'says statistics are not available yet')
  }
  assertClean(page)
  await ctx.close()
})

test('resident files an appeal with a photo and sees it in my appeals', async ({ browser, url, server, state }) => {
  const { ctx, page } = await newPage(browser, { viewport: { width: 420, height: 900 }, isMobile: true, hasTouch: true })
  await login(page, url, 'resident')
  await page.waitForURL('**/portal/mine*')
  await page.goto(url + '/portal/new')
  await page.waitForSelector('.appeal-form')
  // category: 物业管理 / 公共设施维修
  await page.click('.appeal-form .el-cascader')
  await page.click('.el-cascader-menu .el-cascader-node:has-text("物业管理")')
  await page.click('.el-cascader-menu:nth-child(2) .el-cascader-node:has-text("公共设施维修")')
  await page.fill('input[aria-label="标题"]', TITLE)
  await page.fill('textarea[aria-label="诉求内容"]', '3号楼2单元楼道灯坏了一周，晚上上下楼很不方便，请尽快维修。')
  await pickUnit(page, '.appeal-form .unit-picker', ['洪山区', STREET, COMMUNITY])
  await page.fill('input[aria-label="详细地址"]', '桂林社区3号楼2单元')
  await page.setInputFiles('.appeal-form input[type=file]', pngFile(server.dir))
  await page.waitForSelector('.el-upload-list__item')
  await shot(page, 'workflow-resident-form')
  await page.click('.appeal-form .submit-btn')
  await page.waitForURL('**/appeals/*', { timeout: 15000 })
  state.appealId = Number(new URL(page.url()).pathname.split('/').pop())
  assert.ok(state.appealId > 0)
  await page.waitForSelector('.attachments .thumb')
  await settle(page)
  await shot(page, 'workflow-resident-filed')
  assert.equal(await statusText(page), '待签收')
  // my appeals lists it
  await page.goto(url + '/portal/mine')
  await page.waitForSelector(`.appeal-card:has-text("${TITLE}")`)
  await shot(page, 'workflow-resident-mine')
  assertClean(page)
  await ctx.close()
})

test('community handler accepts and transfers it to the street', async ({ browser, url, state }) => {
  assert.ok(state.appealId, 'needs the filed appeal')
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_handler')
  await page.waitForURL('**/workbench*')
  await findInQueue(page)
  await shot(page, 'workflow-handler-workbench')
  await page.click(`.appeal-table :text("${TITLE}")`)
  await page.waitForURL('**/appeals/' + state.appealId)
  await page.waitForSelector('.actions-card')
  // the masked phone is shown; accept
  await clickAction(page, '签收')
  await confirmDialog(page, '签收')
  await page.waitForFunction(() => document.querySelector('.head-row .el-tag').textContent.includes('已签收'))
  await shot(page, 'workflow-handler-accepted')
  // transfer to the street
  await clickAction(page, '转办')
  await pickUnit(page, '.el-dialog .unit-picker', ['洪山区', STREET])
  await page.fill('.el-dialog textarea', '涉及小区公共照明改造，需街道统筹')
  await confirmDialog(page, '转办')
  await page.waitForSelector('.handed-off')
  await settle(page)
  await shot(page, 'workflow-handler-transferred')
  assert.equal(await statusText(page), '待签收')
  assert.ok((await page.textContent('.handed-off')).includes(STREET), 'handed over to the street')
  assert.ok((await page.textContent('.desc')).includes(STREET), 'handled by the street now')
  assertClean(page)
  await ctx.close()
})

test('street handler accepts and resolves', async ({ browser, url, state }) => {
  assert.ok(state.appealId, 'needs the filed appeal')
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'street_handler')
  await page.waitForURL('**/workbench*')
  await findInQueue(page)
  await page.goto(url + '/appeals/' + state.appealId)
  await page.waitForSelector('.actions-card')
  // keyboard shortcut "a" opens the accept dialog
  await page.keyboard.press('a')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  await confirmDialog(page, '签收')
  await page.waitForFunction(() => document.querySelector('.head-row .el-tag').textContent.includes('已签收'))
  await clickAction(page, '办结')
  await page.fill('.el-dialog textarea', '已更换3号楼2单元楼道灯，并检查了整栋楼的照明线路。')
  await confirmDialog(page, '办结')
  await page.waitForFunction(() => document.querySelector('.head-row .el-tag').textContent.includes('已办结'))
  await page.waitForSelector('.reply')
  await shot(page, 'workflow-street-resolved')
  assertClean(page)
  await ctx.close()
})

test('resident rates the resolved appeal', async ({ browser, url, state }) => {
  assert.ok(state.appealId, 'needs the filed appeal')
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'resident')
  await page.goto(url + '/portal/mine')
  await page.waitForSelector(`.appeal-card:has-text("${TITLE}") .rate-hint`)
  await page.click(`.appeal-card:has-text("${TITLE}")`)
  await page.waitForSelector('.rating')
  for (const label of ['响应速度', '办理结果', '服务态度']) {
    await page.locator(`.rating .el-form-item:has-text("${label}") .el-rate__item`).nth(4).click()
  }
  await page.click('.rating .el-radio:has-text("已解决")')
  await page.click('.rating .el-radio-button:has-text("满意")')
  await page.fill('.rating textarea', '修得很快，谢谢！')
  await shot(page, 'workflow-resident-rating')
  await page.click('.rating button[type=submit]')
  await page.waitForFunction(() => document.querySelector('.head-row .el-tag').textContent.includes('已评价'))
  await settle(page)
  await shot(page, 'workflow-resident-rated')
  assert.ok(!(await page.isVisible('.rating button[type=submit]')), 'the form is gone')
  assertClean(page)
  await ctx.close()
})

test('a handler of another community gets a 403 page for the appeal URL', async ({ browser, url, state }) => {
  assert.ok(state.appealId, 'needs the filed appeal')
  const { ctx, page } = await newPage(browser, {
    allow: (status, u) => status === 403 && u.endsWith('/api/v1/appeals/' + state.appealId)
  })
  await login(page, url, 'community2_handler')
  await page.goto(url + '/appeals/' + state.appealId)
  await page.waitForSelector('.load-error')
  assert.equal(await page.getAttribute('.load-error', 'data-status'), '403')
  assert.match(await page.textContent('.load-error'), /无权查看此诉求/)
  assert.ok(!(await page.textContent('body')).includes(TITLE), 'nothing of the appeal leaks')
  await shot(page, 'workflow-forbidden')
  assertClean(page)
  await ctx.close()
})

test('dashboard after: the numbers count the new appeal', async ({ browser, url, state }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'admin')
  await page.waitForURL('**/dashboard*')
  await page.waitForSelector('[data-kpi="total"]')
  await settle(page, 800)
  await shot(page, 'workflow-dashboard-after')
  if (state.hasStats) {
    const after = await kpiTotal(page)
    assert.equal(after, state.totalBefore + 1, 'the total grows by one')
  } else {
    // no stats endpoint yet: the cards render with placeholders
    assert.equal((await page.textContent('[data-kpi="total"] .kpi-value')).trim(), '—')
  }
  // the appeal is also in the district's appeal list
  await page.goto(url + '/appeals?q=' + encodeURIComponent(TITLE))
  await page.waitForSelector(`.appeal-table :text("${TITLE}")`)
  await shot(page, 'workflow-admin-list')
  assertClean(page)
  await ctx.close()
})
