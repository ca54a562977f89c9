// Tracked tasks (任务督办) in the browser: a community handler opens the
// tasks page from the menu, switches to the 已超期 tab, opens a late demo
// task (escalated to the street: the escalation shows), and marks it done
// with evidence in the dialog; the buttons are the task's allowed_actions,
// so an auditor sees none.
import assert from 'node:assert/strict'
import { test, newPage, login, shot, settle, assertClean, pickUnit } from './lib.mjs'

test('a handler marks a late task done with evidence; an auditor only reads', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_handler')
  await page.click('header .el-menu-item:has-text("任务督办")')
  await page.waitForURL('**/tasks*')
  for (const tab of ['待办', '即将到期', '已超期', '已完成']) await page.waitForSelector(`.task-tabs .el-tabs__item:has-text("${tab}")`)
  await page.click('.task-tabs .el-tabs__item:has-text("已超期")')
  await page.waitForURL('**/tasks?tab=late*')
  await page.waitForSelector('.task-table .el-table__row')
  await settle(page, 200)
  await shot(page, 'tasks-late')
  await page.click('.task-table .el-table__row a')
  await page.waitForURL('**/tasks/*')
  await page.waitForSelector('.task-detail .escalations li')
  assert.match(await page.textContent('.task-detail .escalations'), /督办至/)
  assert.match(await page.textContent('.task-detail .timeline'), /超期/)
  // done with evidence
  await page.click('.task-detail .actions .act-done')
  await page.waitForSelector('.el-dialog', { state: 'visible' })
  assert.equal(await page.locator('.el-dialog .dialog-submit.is-disabled').count(), 1) // evidence is required
  await page.fill('textarea[aria-label="佐证说明"]', '已清理完毕，现场照片已归档')
  await page.fill('input[aria-label="佐证链接"]', 'https://example.org/photo/42')
  await page.click('.el-dialog .dialog-submit')
  await page.waitForSelector('.el-dialog', { state: 'hidden', timeout: 10000 })
  await page.waitForSelector('.task-detail .evidence:has-text("已清理完毕")')
  assert.match(await page.textContent('.task-detail .page-title'), /已完成/)
  assert.equal(await page.locator('.task-detail .actions .act-done').count(), 0)
  await shot(page, 'task-done')
  const taskUrl = page.url()
  assertClean(page)
  await ctx.close()

  const a = await newPage(browser)
  await login(a.page, url, 'auditor')
  await a.page.goto(taskUrl)
  await a.page.waitForSelector('.task-detail .timeline')
  assert.equal(await a.page.locator('.task-detail .actions .el-button').count(), 0)
  assertClean(a.page)
  await a.ctx.close()
})


test('a community admin sets a task and records progress on it', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_admin')
  await page.goto(url + '/tasks')
  await page.click('.tasks-page .page-title .el-button--primary')
  await page.waitForSelector('.el-dialog .task-create')
  await page.fill('.task-create input[aria-label="任务"]', '共建协议：周末开放篮球场')
  await pickUnit(page, '.task-create .unit-picker', ['洪山区', '珞南街道', '桂林社区'])
  await page.fill('.task-create [aria-label="或：工作日数"] input, .task-create input[aria-label="或：工作日数"]', '5')
  await page.click('.el-dialog__footer .el-button--primary')
  await page.waitForURL('**/tasks/*')
  await page.waitForSelector('.task-detail .page-title:has-text("周末开放篮球场")')
  assert.match(await page.textContent('.task-detail .page-title'), /待办/)
  await page.click('.task-detail .actions .act-note')
  await page.fill('textarea[aria-label="进展情况"]', '已与学校体育部对接')
  await page.click('.el-dialog .dialog-submit')
  await page.waitForSelector('.el-dialog', { state: 'hidden', timeout: 10000 })
  await page.waitForSelector('.task-detail .timeline:has-text("已与学校体育部对接")')
  await settle(page, 150)
  await shot(page, 'task-created')
  assertClean(page)
  await ctx.close()
})
