// The admin pages' one create/edit dialog (web/src/composables/useEditDialog.js,
// issue 11): a refusal that names a field is shown under that field, the
// dialog stays open with what was typed, and a corrected submit saves,
// closes and reloads the list. The role choices of the user dialog follow
// the ranks the server lists (GET /api/v1/meta/enums), not a copy.
import assert from 'node:assert/strict'
import { test, newPage, login, shot, settle, assertClean, apiLogin, pickUnit } from './lib.mjs'

const item = (page, label) => page.locator(`.el-dialog .el-form-item:has(> .el-form-item__label:text-is("${label}"))`)

test('category dialog: a taken code is refused under the code field, then a new one saves', async ({ browser, url }) => {
  const admin = await apiLogin(url, 'admin')
  const taken = (await admin.get('/categories')).data.items[0].code
  const fresh = 'UI' + String(Date.now()).slice(-6)
  const { ctx, page } = await newPage(browser, { allow: (st, u) => st === 409 && /\/api\/v1\/categories$/.test(u) })
  await login(page, url, 'admin')
  await page.goto(url + '/admin/categories')
  await page.waitForSelector('.page-title .el-button--primary')
  await settle(page, 200)
  await page.click('.page-title .el-button--primary')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  await item(page, '编码').locator('input').fill(taken)
  await item(page, '名称').locator('input').fill('界面测试分类')
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories') && r.request().method() === 'POST')
  await page.click('.el-dialog__footer .el-button--primary')
  assert.equal((await refused).status(), 409)
  const err = item(page, '编码').locator('.el-form-item__error')
  await err.waitFor({ timeout: 5000 })
  assert.match(await err.textContent(), /code exists/)
  // no toast for it: the message sits under the field
  assert.equal(await page.locator('.el-message--error').count(), 0)
  assert.equal(await item(page, '名称').locator('input').inputValue(), '界面测试分类', 'what was typed stays')
  await shot(page, 'dialogs-category-conflict')

  await item(page, '编码').locator('input').fill(fresh)
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories') && r.request().method() === 'POST')
  await page.click('.el-dialog__footer .el-button--primary')
  assert.equal((await saved).status(), 201)
  await page.waitForSelector('.el-dialog', { state: 'hidden', timeout: 10000 })
  await page.waitForSelector(`.el-table td:has-text("${fresh}")`, { timeout: 10000 })
  const made = (await admin.get('/categories')).data.items.find((c) => c.code === fresh)
  assert.ok(made, 'the server has the new category')

  // reopened for a new record, the dialog is blank and without the old error
  await page.click('.page-title .el-button--primary')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  assert.equal(await item(page, '编码').locator('input').inputValue(), '')
  // (an error leaving fades out: wait for the transition)
  await item(page, '编码').locator('.el-form-item__error').waitFor({ state: 'detached', timeout: 3000 })
  assertClean(page)
  await ctx.close()
})

test('user dialog: a unit admin is offered the roles ranked at or below their own', async ({ browser, url }) => {
  const enums = await (await fetch(url + '/api/v1/meta/enums')).json()
  const rank = Object.fromEntries(enums.roles.map((r) => [r.name, r.rank]))
  const LABEL = { public: '群众', collector: '网格员', handler: '办理人', unit_admin: '单位管理员', district_admin: '区级管理员', auditor: '审计员' }
  const expectFor = (top) => enums.roles.filter((r) => r.rank <= rank[top]).map((r) => LABEL[r.name])
  for (const [login_, top] of [
    ['street_admin', 'unit_admin'],
    ['admin', 'district_admin']
  ]) {
    const { ctx, page } = await newPage(browser)
    await login(page, url, login_)
    await page.goto(url + '/admin/users')
    await page.waitForSelector('.page-title .el-button--primary')
    await settle(page, 200)
    await page.click('.page-title .el-button--primary')
    await page.waitForSelector('.el-dialog', { state: 'visible' })
    await item(page, '角色').locator('.el-select').click()
    await page.waitForSelector('.el-select-dropdown:visible .el-select-dropdown__item')
    const shown = (await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').allTextContents()).map((s) => s.trim())
    assert.deepEqual(shown, expectFor(top), `${login_} is offered ${shown}`)
    if (top === 'unit_admin') assert.ok(!shown.includes('区级管理员') && !shown.includes('审计员'))
    await shot(page, 'dialogs-user-roles-' + login_)
    assertClean(page)
    await ctx.close()
  }
})


test('user dialog: a user with a first role is created; reopened, the form is blank and shows no error', async ({ browser, url }) => {
  const login_ = 'ui_dlg_' + String(Date.now()).slice(-6)
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'admin')
  await page.goto(url + '/admin/users')
  await page.waitForSelector('.page-title .el-button--primary')
  await settle(page, 200)
  await page.click('.page-title .el-button--primary')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  await item(page, '账号').locator('input').fill(login_)
  await item(page, '姓名').locator('input').fill('对话框测试')
  await item(page, '初始密码').locator('input').fill('Hongshan-dialog-2026')
  await item(page, '角色').locator('.el-select').click()
  await page.click('.el-select-dropdown:visible .el-select-dropdown__item:has-text("办理人")')
  await pickUnit(page, '.el-dialog .unit-picker', ['洪山区', '珞南街道'])
  const made = page.waitForResponse((r) => r.url().endsWith('/api/v1/grants') && r.request().method() === 'POST')
  await page.click('.el-dialog__footer .el-button--primary')
  assert.equal((await made).status(), 201)
  await page.waitForSelector('.el-dialog', { state: 'hidden', timeout: 10000 })
  const admin = await apiLogin(url, 'admin')
  const u = (await admin.get('/users?q=' + login_)).data.items[0]
  assert.ok(u, 'the user exists')
  const grants = (await admin.get(`/users/${u.id}/grants`)).data.items
  assert.deepEqual(grants.map((g) => g.role), ['handler'])

  await page.click('.page-title .el-button--primary')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  await settle(page, 400)
  assert.equal(await item(page, '账号').locator('input').inputValue(), '')
  assert.deepEqual(await page.locator('.el-dialog .el-form-item__error').allTextContents(), [], 'no message on a fresh form')
  await shot(page, 'dialogs-user-reopened')
  assertClean(page)
  await ctx.close()
})
