// Every action shown is an action allowed (issue 10): the UI offers a write
// only when /me's permissions and the appeal's allowed_actions say the
// server would take it. A collector is offered no accept / transfer /
// reject on an appeal of their community; the auditor sees no write control
// at all (appeal page, portal, user admin); the handler who resolved an
// appeal is not shown the rating form, while the person who filed it is.
import assert from 'node:assert/strict'
import { test, newPage, login, shot, settle, assertClean, apiLogin } from './lib.mjs'

const ACTION_LABELS = ['签收', '指派', '转办', '退回', '进展', '答复', '办结', '不予受理', '延期', '挂起', '合并', '督办', '审核', '重办']

// One appeal filed by the resident in 社区 CM001, and one resolved there by
// community_handler. Made through the API, once.
async function setup(url, state) {
  if (state.actions) return state.actions
  const admin = await apiLogin(url, 'admin')
  const units = await admin.get('/units?q=CM001')
  const unitId = units.data.items[0].id
  const cats = await admin.get('/categories')
  const wy = cats.data.items.flatMap((c) => c.children || []).find((c) => c.code === 'WY01')
  const resident = await apiLogin(url, 'resident')
  const handler = await apiLogin(url, 'community_handler')
  const file = async (title) => {
    const r = await resident.post('/appeals', { title, description: '单元门禁坏了三天，老人进出不便', category_id: wy.id, unit_id: unitId })
    assert.equal(r.status, 201, JSON.stringify(r.data))
    return r.data.id
  }
  const open = await file('单元门禁损坏（待签收）')
  const resolved = await file('单元门禁损坏（已办结）')
  assert.equal((await handler.post(`/appeals/${resolved}/accept`, {})).status, 200)
  assert.equal((await handler.post(`/appeals/${resolved}/resolve`, { reply: '已联系物业更换门禁' })).status, 200)
  state.actions = { open, resolved }
  return state.actions
}

async function openAppeal(page, url, id) {
  await page.goto(`${url}/appeals/${id}`)
  await page.waitForSelector('.head-row', { timeout: 15000 })
  await settle(page, 200)
}

// The labels of the action buttons shown on the page.
async function actionButtons(page) {
  return (await page.locator('.actions-card .action-buttons .el-button').allTextContents()).map((s) => s.replace(/[a-z]$/, '').trim())
}

test('a collector is offered no accept, transfer or reject', async ({ browser, url, state }) => {
  const { open } = await setup(url, state)
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'gridworker')
  await openAppeal(page, url, open)
  const shown = await actionButtons(page)
  for (const label of ['签收', '转办', '不予受理', '办结']) assert.ok(!shown.includes(label), `the collector is offered ${label}: ${shown}`)
  // and what it does show, the server takes: allowed_actions for this caller is empty here
  const me = await page.request.get(`${url}/api/v1/appeals/${open}`)
  assert.deepEqual((await me.json()).allowed_actions, [])
  assert.equal(await page.locator('.upload').count(), 0, 'no upload for someone who may not add files')
  await shot(page, 'actions-collector')
  assertClean(page)
  await ctx.close()
})

test('the auditor sees no write control: appeal page, portal, user admin', async ({ browser, url, state }) => {
  const { open, resolved } = await setup(url, state)
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'auditor')
  for (const id of [open, resolved]) {
    await openAppeal(page, url, id)
    assert.equal(await page.locator('.actions-card').count(), 0, 'no actions card')
    const shown = await page.locator('.el-button').allTextContents()
    for (const label of ACTION_LABELS) assert.ok(!shown.some((s) => s.trim().startsWith(label)), `the auditor is offered ${label}`)
    assert.equal(await page.locator('.upload').count(), 0, 'no upload')
    assert.equal(await page.locator('.rating').count(), 0, 'no rating form')
    assert.equal(await page.locator('.show-phone').count(), 0, 'no unmasked phone')
  }
  await shot(page, 'actions-auditor-appeal')
  // the portal: filing is a write; the form is not reachable and not linked
  await page.goto(url + '/portal/new')
  await settle(page, 300)
  assert.ok(!page.url().includes('/portal/new'), 'the auditor is sent away from the filing form: ' + page.url())
  assert.equal(await page.locator('.appeal-form').count(), 0)
  await page.goto(url + '/portal/mine')
  await page.waitForSelector('.page, main', { timeout: 15000 })
  await settle(page, 300)
  const links = await page.locator('a .el-button').allTextContents()
  assert.ok(!links.some((s) => /我要反映|去反映问题/.test(s)), 'no file-an-appeal button: ' + links)
  const nav = await page.locator('header .nav').textContent()
  assert.ok(!/我要反映/.test(nav), 'no portal nav entry')
  // user admin: no create, no edit, no unmasked personal data (the server says 403)
  await page.goto(url + '/admin/users')
  await page.waitForSelector('.el-table__row', { timeout: 15000 })
  assert.equal(await page.locator('button:has-text("新建用户")').count(), 0, 'no new-user button')
  await page.locator('.el-table__row').first().click()
  await settle(page, 400)
  assert.equal(await page.locator('button:has-text("查看完整个人信息")').count(), 0, 'no personal-data button')
  await shot(page, 'actions-auditor-users')
  assertClean(page)
  await ctx.close()
})

test('the handler who resolved an appeal sees no rating form; the resident does', async ({ browser, url, state }) => {
  const { resolved } = await setup(url, state)
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_handler')
  await openAppeal(page, url, resolved)
  assert.equal(await page.locator('.rating').count(), 0, 'the handler is shown the rating form')
  assert.ok((await page.locator('.upload').count()) > 0, 'the handler may add files')
  await shot(page, 'actions-handler-resolved')
  assertClean(page)
  await ctx.close()
  const r = await newPage(browser)
  await login(r.page, url, 'resident')
  await openAppeal(r.page, url, resolved)
  await r.page.waitForSelector('.rating', { timeout: 10000 })
  const shown = await actionButtons(r.page)
  assert.ok(shown.includes('重办') && !shown.includes('办结'), 'the resident may reopen, not resolve: ' + shown)
  assertClean(r.page)
  await r.ctx.close()
})

test('sign-in: a throttled try says how long to wait', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser, { allow: (st, u) => (st === 401 || st === 429) && /auth\/login/.test(u) })
  const login = 'nobody_throttled' // no such account: its count is its own
  for (let i = 0; i < 5; i++) await page.request.post(url + '/api/v1/auth/login', { data: { login, password: 'wrong-' + i } })
  await page.goto(url + '/login')
  await page.fill('input[name=login]', login)
  let text = ''
  for (let i = 0; i < 4 && !/秒后再试/.test(text); i++) {
    await page.fill('input[name=password]', 'still-wrong-' + i)
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.click('button[type=submit]')
    const res = await answered
    await page.waitForSelector('.el-alert--error', { timeout: 5000 })
    text = await page.textContent('.el-alert--error')
    if (res.status() === 429) assert.match(text, new RegExp('请 ' + res.headers()['retry-after'] + ' 秒后再试'), text)
  }
  assert.match(text, /登录失败次数过多，请 \d+ 秒后再试/)
  await shot(page, 'actions-login-wait')
  assertClean(page)
  await ctx.close()
})

test('categories: the district admin switches is_public in the table', async ({ browser, url }) => {
  const admin = await apiLogin(url, 'admin')
  const cats = (await admin.get('/categories')).data.items
  const parent = cats.find((c) => c.is_public !== false && (c.children || []).some((k) => k.is_public !== false))
  const leaf = parent.children.find((k) => k.is_public !== false)
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'admin')
  await page.goto(url + '/admin/categories')
  const sw = page.locator(`.is-public[data-id="${leaf.id}"]`)
  await sw.waitFor({ timeout: 15000 })
  assert.equal(await sw.getAttribute('class').then((c) => /is-checked/.test(c)), true)
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories/' + leaf.id) && r.request().method() === 'PATCH')
  await sw.click()
  assert.equal((await saved).status(), 200)
  await settle(page, 300)
  const after = (await admin.get('/categories')).data.items.flatMap((c) => c.children || []).find((k) => k.id === leaf.id)
  assert.equal(after.is_public, false, 'the server has it not public')
  assert.equal(await page.locator(`.is-public[data-id="${leaf.id}"]`).getAttribute('class').then((c) => /is-checked/.test(c)), false)
  await shot(page, 'actions-categories-public')
  // and back
  await page.locator(`.is-public[data-id="${leaf.id}"]`).click()
  await settle(page, 500)
  const back = (await admin.get('/categories')).data.items.flatMap((c) => c.children || []).find((k) => k.id === leaf.id)
  assert.equal(back.is_public, true)
  assertClean(page)
  await ctx.close()
})
