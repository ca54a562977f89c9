// The other jobs: a grid worker files two appeals in a row on behalf of
// residents; a district admin's admin pages; the knowledge base search (once
// the kb endpoints exist; until then the page says so); the inbox.
import assert from 'node:assert/strict'
import { test, newPage, login, shot, settle, assertClean, pickUnit } from './lib.mjs'


test('grid worker files two appeals in a row on behalf of residents', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'gridworker')
  await page.waitForURL('**/collector*')
  await page.click('.appeal-form .el-cascader')
  await page.click('.el-cascader-menu .el-cascader-node:has-text("物业管理")')
  await page.click('.el-cascader-menu:nth-child(2) .el-cascader-node:has-text("物业服务")')
  await pickUnit(page, '.appeal-form .unit-picker', ['洪山区', '珞南街道', '桂林社区'])
  const people = [
    ['李阿姨', '13900001111', '小区垃圾清运不及时', '5栋门口的垃圾桶已经三天没有清运，气味很大。'],
    ['王师傅', '13900002222', '单元门禁损坏', '7栋1单元门禁坏了，外人可以随意进出。']
  ]
  for (const [name, phone, title, desc] of people) {
    await page.fill('input[aria-label="标题"]', title)
    await page.fill('textarea[aria-label="诉求内容"]', desc)
    await page.fill('input[aria-label="联系人"]', name)
    await page.fill('input[aria-label="联系电话"]', phone)
    await page.click('.appeal-form .el-button--primary:has-text("保存并继续")')
    await page.waitForSelector(`.filed li:has-text("${title}")`)
  }
  // category and place were kept for the second one
  assert.equal(await page.locator('.filed li').count(), 2)
  await shot(page, 'collector-two-filed')
  assertClean(page)
  await ctx.close()
})

test('district admin pages render', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'admin')
  await page.waitForURL('**/dashboard*')
  await page.click('header .el-menu-item:has-text("系统管理")')
  await page.waitForSelector('.admin .menu')
  for (const [p, label] of [['units', '组织机构'], ['users', '用户'], ['categories', '问题分类'], ['routing', '分派规则'], ['sla', '时限规则'], ['calendar', '工作日历'], ['webhooks', 'Webhook'], ['audit', '审计日志']]) {
    await page.click(`.admin .menu .el-menu-item:has-text("${label}")`)
    await page.waitForURL('**/admin/' + p)
    await page.waitForSelector('.admin .page-title')
    await settle(page, 150)
    await shot(page, 'admin-' + p)
  }
  // the audit log lists the sign-ins
  await page.waitForSelector('.el-table__row:has-text("login")')
  assertClean(page)
  await ctx.close()
})

test('street admin manages its own units and users only', async ({ browser, url }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'street_admin')
  await page.waitForURL('**/workbench*')
  await page.goto(url + '/admin/units')
  await page.waitForSelector('.el-tree-node:has-text("珞南街道")')
  await shot(page, 'street-admin-units')
  await page.goto(url + '/admin/users')
  await page.waitForSelector('.admin .page-title')
  await settle(page)
  await shot(page, 'street-admin-users')
  assertClean(page)
  await ctx.close()
})

test('knowledge base: search finds an answer (or says it is not open yet)', async ({ browser, url, server }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'resident')
  await page.goto(url + '/kb')
  if (!server.routes.has('GET /api/v1/search')) {
    await page.waitForSelector('.el-result')
    await shot(page, 'kb-unavailable')
    assertClean(page)
    await ctx.close()
    return
  }
  await page.fill('input[aria-label="搜索知识库"], .search input', '电梯')
  await page.click('.search button[type=submit]')
  await page.waitForSelector('.hit')
  assert.ok((await page.locator('.hit mark').count()) > 0, 'highlighted words')
  await shot(page, 'kb-search')
  await page.click('.hit .hit-title >> nth=0')
  await page.waitForURL('**/kb/answers/*')
  await page.waitForSelector('.answer h1')
  await shot(page, 'kb-answer')
  await page.goto(url + '/kb/columns')
  await settle(page)
  await shot(page, 'kb-columns')
  await page.goto(url + '/kb/volumes')
  await settle(page)
  await shot(page, 'kb-volumes')
  assertClean(page)
  await ctx.close()
})

test('inbox renders (or hides when notifications are not there yet)', async ({ browser, url, server }) => {
  const { ctx, page } = await newPage(browser)
  await login(page, url, 'community_handler')
  await page.goto(url + '/inbox')
  await page.waitForSelector('.page-title')
  await settle(page)
  await shot(page, 'inbox')
  if (!server.routes.has('GET /api/v1/inbox')) {
    assert.ok(await page.isVisible('.el-result'))
  } else {
    // appeals filed in 桂林社区 earlier notified its handler
    await page.waitForSelector('.msgs li.unread')
    await page.click('.page-title .el-button:has-text("全部标为已读")')
    await page.waitForFunction(() => !document.querySelector('.msgs li.unread'))
    await page.click('.msgs li >> text=查看 >> nth=0')
    await page.waitForURL('**/appeals/*')
    await page.waitForSelector('.head-row')
  }
  assertClean(page)
  await ctx.close()
})
