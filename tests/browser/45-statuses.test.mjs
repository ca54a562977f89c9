// One definition of open (issue 11): the web keeps no copy of the appeal
// statuses. The list's status filter offers what GET /api/v1/appeal-statuses
// says, in its order, and the page asked the server for it.
import assert from 'node:assert/strict'
import { test, newPage, login, settle, assertClean } from './lib.mjs'

test('the appeal list filters by the statuses the server defines', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  const asked = page.waitForResponse((r) => r.url().includes('/api/v1/appeal-statuses') && r.status() === 200)
  await login(page, url, 'admin')
  const body = await (await asked).json()
  assert.deepEqual(body.open_statuses, ['submitted', 'accepted', 'in_progress', 'suspended'])
  await page.goto(url + '/appeals')
  await page.waitForSelector('.filters')
  await page.click('.filters .el-select[aria-label="状态"], .filters .el-form-item:has-text("状态") .el-select')
  await page.waitForSelector('.el-select-dropdown .el-select-dropdown__item')
  await settle(page, 150)
  const n = await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').count()
  assert.equal(n, body.statuses.length)
  assertClean(page)
  await ctx.close()
})
