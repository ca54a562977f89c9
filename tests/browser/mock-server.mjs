// Mock sanqu API + static server for UI development and browser tests.
//
// Serves web/dist (history-mode fallback to index.html) with the production
// CSP, and an in-memory fake of the JSON API in docs/api.md: cookie sessions
// with CSRF checks on writes, cursor pagination, appeals with a small state
// machine, stats, rankings, and the optional endpoints (suggest, hot-problems,
// search, kb) unless started with optional:false (then they answer 404, to
// check that the UI hides them).
//
//   node tests/browser/mock-server.mjs [--port 4174] [--no-optional]
//   import { startMock } from './mock-server.mjs'; const m = await startMock({ port: 0 })
//
// Accounts (password "sanqu123"): admin (district_admin), handler (handler +
// unit_admin of 珞南街道 / 珞狮路社区), resident (public), collector, auditor.
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const DIST = path.resolve(HERE, '../../web/dist')
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:"
const PASSWORD = 'sanqu123'
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon'
}

// 1x1 PNG for attachments.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
)

// ---------------------------------------------------------------- fixtures --
function makeDb(now = Date.now()) {
  const iso = (ms) => new Date(ms).toISOString().replace('Z', '+00:00')
  const H = 3600 * 1000
  const D = 24 * H
  const units = []
  let uid = 1
  const unit = (kind, name, parent_id, zone, code) => {
    const u = { id: uid++, kind, code: code || kind.slice(0, 2).toUpperCase() + uid, name, parent_id, zone, address: '武汉市洪山区', contact: '027-8788' + String(1000 + uid), archived: false, created_at: iso(now - 400 * D), updated_at: iso(now - 30 * D) }
    units.push(u)
    return u
  }
  const district = unit('district', '洪山区', null, 'government', 'HS')
  const streets = ['珞南街道', '关山街道', '狮子山街道', '卓刀泉街道', '洪山街道'].map((n) => unit('street', n, district.id, 'community'))
  const communityNames = [
    ['珞狮路社区', '广八路社区', '珞珈山社区', '石牌岭社区', '宝通寺社区', '卓刀泉北社区', '南湖花园社区', '雄楚社区', '书城路社区'],
    ['关山口社区', '光谷社区', '关南社区', '关东社区', '长城坐标城社区', '保利花园社区'],
    ['狮子山社区', '南湖山庄社区', '华农社区', '纺织社区'],
    ['卓刀泉社区', '东湖村社区', '虎泉社区', '杨家湾社区', '桂子山社区'],
    ['洪山社区', '和平社区', '星光社区']
  ]
  const communities = []
  streets.forEach((s, i) => communityNames[i].forEach((n) => communities.push(unit('community', n, s.id, 'community'))))
  const depts = ['区住建局', '区城管执法局', '区交通大队', '区市场监管局', '区人社局'].map((n) => unit('department', n, district.id, 'government'))
  const unis = ['武汉大学', '华中科技大学', '华中师范大学', '华中农业大学'].map((n) => unit('university', n, district.id, 'campus'))
  unis.forEach((u) => ['计算机学院', '法学院', '后勤集团'].forEach((n) => unit('school', u.name + n, u.id, 'campus')))
  const parks = ['光谷创意产业基地', '洪山科技园', '南湖科创园'].map((n) => unit('park', n, district.id, 'park'))
  parks.forEach((p, i) => ['楚天科技有限公司', '珞珈数智有限公司', '东湖生物科技'].forEach((n) => unit('enterprise', n.replace('有限', i + '号有限'), p.id, 'park')))

  const cats = []
  let cid = 1
  const cat = (name, parent_id, kind, extra = {}) => {
    const c = { id: cid++, code: 'C' + String(cid).padStart(3, '0'), name, parent_id, kind, urgency: 'normal', response_hours: 24, resolve_days: 5, default_unit_id: null, active: true, ...extra }
    cats.push(c)
    return c
  }
  const tree = [
    ['物业管理', 'livelihood', ['电梯', '物业服务', '维修基金']],
    ['市政设施', 'livelihood', ['停车', '道路', '路灯', '供水']],
    ['环境卫生', 'livelihood', ['垃圾清运', '噪音扰民', '油烟']],
    ['社会保障', 'livelihood', ['医保', '养老', '就业']],
    ['企业服务', 'enterprise', ['用工', '融资', '政策兑现', '审批']]
  ]
  for (const [n, k, kids] of tree) {
    const p = cat(n, null, k)
    kids.forEach((kn) => cat(kn, p.id, k, { default_unit_id: k === 'enterprise' ? depts[3].id : null }))
  }

  const users = []
  const user = (login, display_name, phone) => {
    const u = { id: users.length + 1, login, display_name, phone, id_number: '420111199001011234', disabled: false, created_at: iso(now - 200 * D) }
    users.push(u)
    return u
  }
  const admin = user('admin', '区指挥中心', '13800001111')
  const handler = user('handler', '李办理', '13900002222')
  const resident = user('resident', '王居民', '13700003333')
  const collector = user('collector', '张网格', '13600004444')
  const auditor = user('auditor', '赵审计', '13500005555')
  const handler2 = user('handler2', '陈社工', '13400006666')
  const grants = []
  const grant = (u, role, un) => grants.push({ id: grants.length + 1, user_id: u.id, role, unit_id: un.id })
  grant(admin, 'district_admin', district)
  grant(handler, 'handler', communities[0])
  grant(handler, 'unit_admin', streets[0])
  grant(resident, 'public', district)
  grant(collector, 'collector', communities[0])
  grant(auditor, 'auditor', district)
  grant(handler2, 'handler', communities[1])

  const leafCats = cats.filter((c) => c.parent_id)
  const titles = {
    电梯: ['小区电梯频繁故障停运', '老旧小区加装电梯进度咨询'],
    物业服务: ['物业不作为，楼道堆放杂物', '物业费收费不透明'],
    停车: ['小区门口乱停车堵塞消防通道', '希望增加非机动车充电棚'],
    道路: ['路面塌陷有安全隐患', '人行道破损多日未修'],
    路灯: ['路灯不亮，夜间出行不便'],
    垃圾清运: ['垃圾桶满溢无人清运'],
    噪音扰民: ['夜间施工噪音扰民', '广场舞音响声音过大'],
    用工: ['企业招工难，希望对接高校毕业生'],
    融资: ['科技企业贷款贴息政策咨询'],
    政策兑现: ['人才补贴迟迟未到账']
  }
  const statuses = ['submitted', 'accepted', 'in_progress', 'in_progress', 'suspended', 'resolved', 'resolved', 'evaluated', 'evaluated', 'evaluated', 'closed', 'rejected']
  const appeals = []
  const events = []
  let eid = 1
  const ev = (a, action, actor, from_status, to_status, note, at, data = null) =>
    events.push({ id: eid++, appeal_id: a.id, action, actor_id: actor.id, actor_name: actor.display_name, from_status, to_status, note, data, created_at: iso(at) })
  for (let i = 0; i < 64; i++) {
    const c = leafCats[(i * 7) % leafCats.length]
    const list = titles[c.name] || [c.name + '问题反映']
    const loc = c.kind === 'enterprise' ? units.filter((u) => u.kind === 'enterprise')[i % 9] : communities[(i * 5) % communities.length]
    const status = i < 3 ? ['submitted', 'accepted', 'resolved'][i] : statuses[i % statuses.length]
    const created = now - (i < 3 ? (i + 1) * 5 * H : ((i * 37) % 330) * D + (i % 5) * H)
    const mine = i % 4 === 0 || i === 2
    const handlerUnit = i % 3 === 0 ? communities[0] : loc.kind === 'community' ? loc : depts[3]
    const due = created + (i % 6 === 1 ? 2 * D : 7 * D)
    const a = {
      id: 1000 + i,
      tracking_no: 'HS' + new Date(created).toISOString().slice(0, 10).replace(/-/g, '') + String(1000 + i).padStart(5, '0'),
      kind: c.kind === 'enterprise' ? 'enterprise' : ['resident', 'student', 'employee'][i % 3],
      title: list[i % list.length],
      description: `${loc.name}${list[i % list.length]}。已经持续一段时间，影响居民正常生活，希望相关部门尽快协调解决。\n联系时请先电话告知。`,
      category_id: c.id,
      category_name: cats.find((x) => x.id === c.parent_id).name + '/' + c.name,
      unit_id: loc.id,
      unit_name: loc.name,
      address: loc.name + (i % 9) + '栋' + ((i % 4) + 1) + '单元',
      lat: null,
      lon: null,
      contact_name: ['王先生', '李女士', '刘同学', '周经理'][i % 4],
      contact_phone: '138****' + String(1000 + i).slice(-4),
      urgency: i % 11 === 0 ? 'critical' : i % 5 === 0 ? 'urgent' : 'normal',
      status,
      handler_unit_id: handlerUnit.id,
      handler_unit_name: handlerUnit.name,
      handler_id: status === 'submitted' ? null : i % 2 ? handler.id : handler2.id,
      creator_id: mine ? resident.id : collector.id,
      collector_id: mine ? null : collector.id,
      channel: mine ? 'web' : 'collector',
      created_at: iso(created),
      accepted_at: status === 'submitted' ? null : iso(created + 3 * H),
      response_due_at: iso(created + 24 * H),
      due_at: iso(due),
      resolved_at: ['resolved', 'evaluated', 'closed'].includes(status) ? iso(Math.min(now - H, created + 4 * D)) : null,
      closed_at: status === 'closed' ? iso(Math.min(now - H, created + 6 * D)) : null,
      warned: false,
      overdue: false,
      reply: ['resolved', 'evaluated', 'closed'].includes(status) ? '经现场核查，已协调物业及相关单位完成处置，后续将持续跟进。' : '',
      rating: status === 'evaluated' || status === 'closed' ? { speed: 5, result: 4 + (i % 2), attitude: 5, solved: i % 7 ? 'solved' : 'partly', satisfaction: i % 9 ? 'satisfied' : 'basically_satisfied', comment: '处理及时，感谢！' } : null,
      reopen_count: 0,
      master_id: null,
      attachments: i === 0 ? [{ id: 1, filename: '现场照片.png', content_type: 'image/png', size: PNG.length, created_at: iso(created) }] : []
    }
    const open = ['submitted', 'accepted', 'in_progress', 'suspended'].includes(status)
    if (open) {
      if (i >= 3 && i % 3 === 0) a.due_at = iso(now - ((i % 4) + 1) * 5 * H)
      else if (i % 3 === 1) a.due_at = iso(now + ((i % 3) + 2) * H)
      else a.due_at = iso(now + ((i % 5) + 2) * D)
      const left = new Date(a.due_at).getTime() - now
      a.overdue = left < 0
      a.warned = left >= 0 && left < D
    }
    appeals.push(a)
    const who = a.creator_id === resident.id ? resident : collector
    ev(a, 'create', who, null, 'submitted', '', created)
    ev(a, 'route', admin, 'submitted', 'submitted', '按分派规则分派至' + a.handler_unit_name, created + 60000, { unit_name: a.handler_unit_name })
    if (a.accepted_at) ev(a, 'accept', handler, 'submitted', 'accepted', '', created + 3 * H)
    if (['in_progress', 'suspended', 'resolved', 'evaluated', 'closed'].includes(status)) ev(a, 'note', handler, 'accepted', 'in_progress', '已联系诉求人，安排现场查看。', created + 20 * H)
    if (status === 'suspended') ev(a, 'suspend', handler, 'in_progress', 'suspended', '等待上级部门批复', created + 30 * H)
    if (a.resolved_at) ev(a, 'resolve', handler, 'in_progress', 'resolved', a.reply, new Date(a.resolved_at).getTime())
    if (a.rating) ev(a, 'rate', who, 'resolved', 'evaluated', a.rating.comment, new Date(a.resolved_at).getTime() + D, { satisfaction: a.rating.satisfaction })
    if (status === 'closed') ev(a, 'close', admin, 'evaluated', 'closed', '', new Date(a.closed_at).getTime())
    if (status === 'rejected') ev(a, 'reject', handler, 'submitted', 'rejected', '不属于受理范围，已告知诉求人向法院提起诉讼。', created + 5 * H)
  }

  const answers = [
    { id: 1, title: '老旧小区加装电梯“一梯一策”', category_name: '物业管理/电梯', problem: '老旧小区加装电梯意见难统一、资金难筹措。', measures: '社区牵头成立议事会，高校建筑系师生提供设计方案，逐户协商，按楼层分摊费用。', result: '两年内完成90台电梯加装。', communities: ['珞狮路社区', '广八路社区'], column_id: 3, issue_no: 3 },
    { id: 2, title: '“司机之家”解决货车司机停车休息难', category_name: '市政设施/停车', problem: '园区周边货车无处停放，司机休息难。', measures: '园区综合党委协调闲置场地，建成300平方米司机之家。', result: '日均服务司机200余人次。', communities: ['关山口社区'], column_id: 5, issue_no: 5 },
    { id: 3, title: '高校食堂向社区老人开放', category_name: '社会保障/养老', problem: '社区老人就餐难。', measures: '与高校后勤集团签订共建协议，错峰开放食堂。', result: '惠及老人1200余人。', communities: ['珞珈山社区'], column_id: 7, issue_no: 7 },
    { id: 4, title: '电动车充电棚建设与管理', category_name: '市政设施/停车', problem: '电动车飞线充电安全隐患大。', measures: '统筹民生实事资金建设充电棚368处。', result: '飞线充电基本消除。', communities: ['石牌岭社区', '宝通寺社区'], column_id: 8, issue_no: 8 }
  ]
  const columns = Array.from({ length: 28 }, (_, i) => ({ id: i + 1, issue_no: i + 1, title: ['加装电梯', '停车难', '食堂开放', '充电棚', '噪音治理', '垃圾分类', '物业服务'][i % 7] + '专题', published_at: iso(now - (28 - i) * 14 * D) }))
  const volumes = [
    { id: 1, title: '高频问题·社区答案汇编（第一辑）', year: 2024, answer_count: 16 },
    { id: 2, title: '高频问题·社区答案汇编（第二辑）', year: 2025, answer_count: 12 }
  ]
  const calendar = [
    { date: `${new Date(now).getFullYear()}-01-01`, kind: 'holiday', name: '元旦' },
    { date: `${new Date(now).getFullYear()}-10-01`, kind: 'holiday', name: '国庆节' },
    { date: `${new Date(now).getFullYear()}-10-02`, kind: 'holiday', name: '国庆节' },
    { date: `${new Date(now).getFullYear()}-10-11`, kind: 'workday', name: '国庆调休' }
  ]
  const rules = [
    { id: 1, category_id: cats.find((c) => c.name === '电梯').id, unit_id: streets[0].id, handler_unit_id: depts[0].id, priority: 100 },
    { id: 2, category_id: cats.find((c) => c.name === '停车').id, unit_id: district.id, handler_unit_id: depts[2].id, priority: 50 }
  ]
  const webhooks = [{ id: 1, url: 'http://10.1.2.3:9000/sanqu', events: ['appeal.created', 'appeal.resolved'], active: true, created_at: iso(now - 20 * D) }]
  const deliveries = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, webhook_id: 1, event: i % 2 ? 'appeal.resolved' : 'appeal.created', status: i === 2 ? 'failed' : 'delivered', attempts: i === 2 ? 5 : 1, response_code: i === 2 ? 502 : 200, last_error: i === 2 ? 'bad gateway' : '', created_at: iso(now - i * H), delivered_at: i === 2 ? null : iso(now - i * H + 1000) }))
  const audit = Array.from({ length: 30 }, (_, i) => ({ id: 30 - i, actor_id: (i % 5) + 1, actor_name: users[i % 5].display_name, action: ['login', 'appeal.accept', 'user.personal.read', 'grant.create', 'appeal.transfer'][i % 5], target_type: ['session', 'appeal', 'user', 'grant', 'appeal'][i % 5], target_id: 1000 + i, ip: '10.0.0.' + (i + 10), created_at: iso(now - i * 3 * H) }))
  const inbox = [
    { id: 1, title: '新诉求待签收', body: '您有 1 件新诉求待签收。', appeal_id: 1000, read_at: null, created_at: iso(now - 5 * H) },
    { id: 2, title: '诉求即将到期', body: '诉求 HS… 将在 4 小时后到期。', appeal_id: 1001, read_at: iso(now - H), created_at: iso(now - 8 * H) }
  ]
  return { units, cats, users, grants, appeals, events, answers, columns, volumes, calendar, settings: { work_start: '09:00', work_end: '17:30' }, rules, webhooks, deliveries, audit, inbox, files: new Map([[1, { type: 'image/png', body: PNG }]]), nextId: { appeal: 2000, unit: 500, user: 100, grant: 100, cat: 200, rule: 10, hook: 10, file: 10, event: 100000 } }
}

// ----------------------------------------------------------------- helpers --
function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers })
  res.end(data)
}
const err = (res, status, code, message, field) => send(res, status, { error: { code, message, ...(field ? { field } : {}) } })

function page(items, q) {
  const limit = Math.min(Math.max(parseInt(q.get('limit') || '50', 10) || 50, 1), 500)
  const off = q.get('cursor') ? parseInt(Buffer.from(q.get('cursor'), 'base64url').toString(), 10) || 0 : 0
  const slice = items.slice(off, off + limit)
  const next = off + limit < items.length ? Buffer.from(String(off + limit)).toString('base64url') : null
  return { items: slice, total: items.length, next }
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

function cookies(req) {
  const out = {}
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim())
  }
  return out
}

function subtreeIds(db, rootId) {
  const ids = new Set([rootId])
  let grew = true
  while (grew) {
    grew = false
    for (const u of db.units) if (u.parent_id && ids.has(u.parent_id) && !ids.has(u.id)) (ids.add(u.id), (grew = true))
  }
  return ids
}

const OPEN = ['submitted', 'accepted', 'in_progress', 'suspended']

// ------------------------------------------------------------------ server --
export async function startMock({ port = 4174, host = '127.0.0.1', optional = true, dist = DIST, log = false } = {}) {
  const db = makeDb()
  const sessions = new Map() // token -> { userId, csrf }

  const me = (req) => {
    const tok = (req.headers.authorization || '').replace(/^Bearer /, '') || cookies(req).sanqu_session
    const s = tok && sessions.get(tok)
    if (!s) return null
    return { ...s, token: tok, user: db.users.find((u) => u.id === s.userId) }
  }
  const grantsOf = (userId) =>
    db.grants.filter((g) => g.user_id === userId).map((g) => {
      const u = db.units.find((x) => x.id === g.unit_id)
      return { ...g, unit_name: u && u.name, unit_kind: u && u.kind }
    })
  const rolesOf = (userId) => new Set(grantsOf(userId).map((g) => g.role))

  function visible(sess, a) {
    const roles = rolesOf(sess.userId)
    if (roles.has('district_admin') || roles.has('auditor')) return true
    if (a.creator_id === sess.userId) return true
    for (const g of grantsOf(sess.userId)) {
      if (['handler', 'unit_admin'].includes(g.role) && subtreeIds(db, g.unit_id).has(a.handler_unit_id)) return true
    }
    return false
  }

  function allowedActions(sess, a) {
    const roles = rolesOf(sess.userId)
    const handler = roles.has('handler') || roles.has('unit_admin') || roles.has('district_admin')
    const out = []
    if (handler) {
      if (a.status === 'submitted') out.push('accept', 'transfer', 'return', 'reject', 'merge')
      if (['accepted', 'in_progress'].includes(a.status)) out.push('note', 'reply', 'resolve', 'transfer', 'extend', 'suspend')
      if (['accepted', 'in_progress'].includes(a.status) && (roles.has('unit_admin') || roles.has('district_admin'))) out.push('assign')
      if (a.status === 'suspended') out.push('resume', 'note')
      if (['resolved', 'evaluated'].includes(a.status) && roles.has('district_admin')) out.push('review', 'reopen')
    }
    if (a.status === 'resolved' && a.creator_id === sess.userId && !a.rating) out.push('rate')
    return out
  }

  function appealFull(sess, a) {
    return { ...a, events: db.events.filter((e) => e.appeal_id === a.id), allowed_actions: allowedActions(sess, a) }
  }

  function statsGroups(list, by) {
    const groups = new Map()
    for (const a of list) {
      let key
      let label
      if (by === 'month') key = label = a.created_at.slice(0, 7)
      else if (by === 'category') {
        const c = db.cats.find((x) => x.id === a.category_id)
        const p = c.parent_id ? db.cats.find((x) => x.id === c.parent_id) : c
        key = p.id
        label = p.name
      } else if (by === 'kind') key = label = a.kind
      else {
        key = a.unit_id
        label = a.unit_name
      }
      if (!groups.has(key)) groups.set(key, { key, label, items: [] })
      groups.get(key).items.push(a)
    }
    const sum = (items) => {
      const total = items.length
      const responded = items.filter((a) => a.accepted_at).length
      const resolved = items.filter((a) => a.resolved_at).length
      const rated = items.filter((a) => a.rating).length
      const satisfied = items.filter((a) => a.rating && a.rating.satisfaction !== 'dissatisfied').length
      const overdue = items.filter((a) => a.overdue).length
      const on_time = items.filter((a) => a.resolved_at && a.resolved_at <= a.due_at).length
      const r = (x, y) => (y ? Math.round((x / y) * 1000) / 1000 : null)
      return { total, responded, resolved, satisfied, rated, on_time, overdue, response_rate: r(responded, total), resolution_rate: r(resolved, total), satisfaction_rate: r(satisfied, rated), on_time_rate: r(on_time, resolved), avg_response_hours: 3.2, avg_handle_hours: 61.5 }
    }
    const out = [...groups.values()].map((g) => ({ key: g.key, label: g.label, ...sum(g.items) }))
    if (by === 'month') out.sort((a, b) => a.key.localeCompare(b.key))
    return { totals: sum(list), groups: out }
  }

  async function api(req, res, url) {
    const p = url.pathname.replace(/^\/api\/v1/, '')
    const q = url.searchParams
    const m = req.method
    const raw = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(m) ? await readBody(req) : Buffer.alloc(0)
    let body = {}
    const ctype = req.headers['content-type'] || ''
    if (raw.length && ctype.startsWith('application/json')) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        return err(res, 400, 'bad_json', '请求体不是合法的 JSON')
      }
    }

    // -- anonymous --
    if (m === 'POST' && p === '/auth/login') {
      const u = db.users.find((x) => x.login === body.login)
      if (!u || body.password !== PASSWORD) return err(res, 401, 'unauthenticated', '账号或密码错误')
      if (u.disabled) return err(res, 403, 'forbidden', '账号已停用')
      const token = crypto.randomBytes(16).toString('hex')
      const csrf = crypto.randomBytes(16).toString('hex')
      sessions.set(token, { userId: u.id, csrf })
      return send(res, 200, { token, csrf_token: csrf, expires_at: new Date(Date.now() + 8 * 3600e3).toISOString(), user: u }, { 'Set-Cookie': `sanqu_session=${token}; Path=/; HttpOnly; SameSite=Strict` })
    }
    if (m === 'POST' && p === '/auth/register') {
      if (!body.login || !body.password) return err(res, 422, 'invalid', '账号不能为空', 'login')
      if (db.users.some((x) => x.login === body.login)) return err(res, 409, 'conflict', '账号已存在', 'login')
      const u = { id: db.nextId.user++, login: body.login, display_name: body.display_name, phone: body.phone, id_number: null, disabled: false, created_at: new Date().toISOString() }
      db.users.push(u)
      db.grants.push({ id: db.nextId.grant++, user_id: u.id, role: 'public', unit_id: 1 })
      return send(res, 201, u)
    }
    if (m === 'GET' && p === '/categories') {
      const build = (pid) => db.cats.filter((c) => c.parent_id === pid).map((c) => ({ ...c, children: build(c.id) }))
      return send(res, 200, { items: build(null) })
    }

    const sess = me(req)
    if (!sess) return err(res, 401, 'unauthenticated', '请先登录')
    if (['POST', 'PATCH', 'PUT', 'DELETE'].includes(m) && !req.headers.authorization && req.headers['x-csrf-token'] !== sess.csrf) {
      return err(res, 403, 'forbidden', 'CSRF 校验失败')
    }
    const roles = rolesOf(sess.userId)

    if (m === 'POST' && p === '/auth/logout') {
      sessions.delete(sess.token)
      return send(res, 200, { ok: true }, { 'Set-Cookie': 'sanqu_session=; Path=/; Max-Age=0' })
    }
    if (m === 'GET' && p === '/me') return send(res, 200, { user: sess.user, grants: grantsOf(sess.userId), csrf_token: sess.csrf })

    // -- units --
    if (m === 'GET' && p === '/units') {
      let list = db.units
      if (q.get('archived') !== 'all' && q.get('archived') !== '1') list = list.filter((u) => !u.archived)
      if (q.get('kind')) list = list.filter((u) => u.kind === q.get('kind'))
      if (q.get('zone')) list = list.filter((u) => u.zone === q.get('zone'))
      if (q.get('parent')) list = list.filter((u) => u.parent_id === Number(q.get('parent')))
      if (q.get('q')) list = list.filter((u) => u.name.includes(q.get('q')))
      return send(res, 200, page(list, q))
    }
    let mm
    if ((mm = p.match(/^\/units\/(\d+)$/))) {
      const u = db.units.find((x) => x.id === Number(mm[1]))
      if (!u) return err(res, 404, 'not_found', '单位不存在')
      if (m === 'GET') return send(res, 200, u)
      if (m === 'PATCH') {
        Object.assign(u, body, { updated_at: new Date().toISOString() })
        return send(res, 200, u)
      }
    }
    if (m === 'POST' && p === '/units') {
      if (!body.name) return err(res, 422, 'invalid', '名称不能为空', 'name')
      const u = { id: db.nextId.unit++, archived: false, created_at: new Date().toISOString(), updated_at: new Date().toISOString(), ...body }
      db.units.push(u)
      return send(res, 201, u)
    }
    if (m === 'POST' && (mm = p.match(/^\/units\/(\d+)\/archive$/))) {
      const u = db.units.find((x) => x.id === Number(mm[1]))
      if (db.units.some((x) => x.parent_id === u.id && !x.archived)) return err(res, 409, 'conflict', '该单位还有未归档的下级单位')
      u.archived = true
      return send(res, 200, u)
    }

    // -- users & grants --
    if (m === 'GET' && p === '/users') {
      if (!roles.has('unit_admin') && !roles.has('district_admin') && !roles.has('auditor')) return err(res, 403, 'forbidden', '无权查看用户')
      let list = db.users.map((u) => ({ ...u, phone: u.phone ? u.phone.slice(0, 3) + '****' + u.phone.slice(-4) : '', id_number: u.id_number ? u.id_number.slice(0, 4) + '**********' + u.id_number.slice(-4) : null }))
      if (q.get('q')) list = list.filter((u) => u.login.includes(q.get('q')) || u.display_name.includes(q.get('q')))
      if (q.get('role')) list = list.filter((u) => rolesOf(u.id).has(q.get('role')))
      return send(res, 200, page(list, q))
    }
    if (m === 'POST' && p === '/users') {
      if (!body.login) return err(res, 422, 'invalid', '账号不能为空', 'login')
      const u = { id: db.nextId.user++, disabled: false, created_at: new Date().toISOString(), ...body }
      delete u.password
      db.users.push(u)
      return send(res, 201, u)
    }
    if ((mm = p.match(/^\/users\/(\d+)(\/personal|\/grants)?$/))) {
      const u = db.users.find((x) => x.id === Number(mm[1]))
      if (!u) return err(res, 404, 'not_found', '用户不存在')
      if (m === 'GET' && mm[2] === '/personal') return send(res, 200, { id: u.id, phone: u.phone, id_number: u.id_number })
      if (m === 'GET' && mm[2] === '/grants') return send(res, 200, { items: grantsOf(u.id), total: grantsOf(u.id).length, next: null })
      if (m === 'GET') return send(res, 200, { ...u, phone: u.phone.slice(0, 3) + '****' + u.phone.slice(-4) })
      if (m === 'PATCH') return send(res, 200, Object.assign(u, body))
    }
    if (m === 'POST' && p === '/grants') {
      const g = { id: db.nextId.grant++, user_id: body.user_id, role: body.role, unit_id: body.unit_id }
      db.grants.push(g)
      return send(res, 201, g)
    }
    if (m === 'DELETE' && (mm = p.match(/^\/grants\/(\d+)$/))) {
      db.grants = db.grants.filter((g) => g.id !== Number(mm[1]))
      return send(res, 204)
    }

    // -- categories (write) --
    if (m === 'POST' && p === '/categories') {
      const c = { id: db.nextId.cat++, ...body }
      db.cats.push(c)
      return send(res, 201, c)
    }
    if (m === 'PATCH' && (mm = p.match(/^\/categories\/(\d+)$/))) {
      const c = db.cats.find((x) => x.id === Number(mm[1]))
      return send(res, 200, Object.assign(c, body))
    }

    // -- appeals --
    if (m === 'GET' && p === '/appeals') {
      let list = db.appeals.filter((a) => visible(sess, a))
      const queue = q.get('queue')
      const now = Date.now()
      if (queue === 'own') list = list.filter((a) => a.creator_id === sess.userId)
      if (queue === 'mine') list = list.filter((a) => a.handler_id === sess.userId && OPEN.includes(a.status))
      if (queue === 'unit') list = list.filter((a) => OPEN.includes(a.status))
      if (queue === 'overdue' || q.get('overdue') === '1') list = list.filter((a) => a.overdue)
      if (queue === 'due_soon') list = list.filter((a) => OPEN.includes(a.status) && !a.overdue && new Date(a.due_at).getTime() - now < 48 * 3600e3)
      for (const k of ['status', 'kind', 'urgency']) if (q.get(k)) list = list.filter((a) => a[k] === q.get(k))
      if (q.get('category')) {
        const cid = Number(q.get('category'))
        list = list.filter((a) => a.category_id === cid || db.cats.find((c) => c.id === a.category_id).parent_id === cid)
      }
      if (q.get('unit')) {
        const ids = subtreeIds(db, Number(q.get('unit')))
        list = list.filter((a) => ids.has(a.unit_id) || ids.has(a.handler_unit_id))
      }
      if (q.get('from')) list = list.filter((a) => a.created_at.slice(0, 10) >= q.get('from').slice(0, 10))
      if (q.get('to')) list = list.filter((a) => a.created_at.slice(0, 10) <= q.get('to').slice(0, 10))
      if (q.get('q')) list = list.filter((a) => (a.title + a.description + a.tracking_no).includes(q.get('q')))
      const sort = q.get('sort') || '-created_at'
      const key = sort.replace(/^-/, '')
      list = [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])) * (sort.startsWith('-') ? -1 : 1))
      return send(res, 200, page(list.map(({ attachments, ...a }) => a), q))
    }
    if (m === 'POST' && p === '/appeals') {
      for (const f of ['title', 'description', 'category_id', 'unit_id']) if (!body[f]) return err(res, 422, 'invalid', `${f} 不能为空`, f)
      if (roles.has('collector') && (!body.contact_name || !body.contact_phone)) return err(res, 422, 'invalid', '代办登记须填写联系人和电话', 'contact_phone')
      const c = db.cats.find((x) => x.id === body.category_id)
      const u = db.units.find((x) => x.id === body.unit_id)
      const now = Date.now()
      const a = {
        id: db.nextId.appeal++,
        tracking_no: 'HS' + new Date().toISOString().slice(0, 10).replace(/-/g, '') + String(db.nextId.appeal).padStart(5, '0'),
        lat: null, lon: null, ...body,
        contact_phone: body.contact_phone ? body.contact_phone.slice(0, 3) + '****' + body.contact_phone.slice(-4) : '',
        category_name: c ? c.name : '', unit_name: u ? u.name : '',
        status: 'submitted', handler_unit_id: u ? u.id : 1, handler_unit_name: u ? u.name : '', handler_id: null,
        creator_id: sess.userId, collector_id: roles.has('collector') ? sess.userId : null,
        channel: roles.has('collector') ? 'collector' : 'web',
        created_at: new Date(now).toISOString(), accepted_at: null, response_due_at: new Date(now + 24 * 3600e3).toISOString(),
        due_at: new Date(now + 5 * 24 * 3600e3).toISOString(), resolved_at: null, closed_at: null,
        warned: false, overdue: false, reply: '', rating: null, reopen_count: 0, master_id: null, attachments: []
      }
      db.appeals.unshift(a)
      db.events.push({ id: db.nextId.event++, appeal_id: a.id, action: 'create', actor_id: sess.userId, actor_name: sess.user.display_name, from_status: null, to_status: 'submitted', note: '', data: null, created_at: a.created_at })
      return send(res, 201, appealFull(sess, a))
    }
    if ((mm = p.match(/^\/appeals\/(\d+)(?:\/(\w+))?$/))) {
      const a = db.appeals.find((x) => x.id === Number(mm[1]))
      if (!a || !visible(sess, a)) return err(res, 404, 'not_found', '诉求不存在')
      const action = mm[2]
      if (m === 'GET' && !action) return send(res, 200, appealFull(sess, a))
      if (m === 'POST' && action === 'attachments') {
        if (!['image/jpeg', 'image/png', 'application/pdf'].includes(ctype)) return err(res, 422, 'invalid', '不支持的文件类型', 'content_type')
        const id = db.nextId.file++
        db.files.set(id, { type: ctype, body: raw })
        const att = { id, filename: 'upload-' + id + (ctype === 'application/pdf' ? '.pdf' : ctype === 'image/png' ? '.png' : '.jpg'), content_type: ctype, size: raw.length, created_at: new Date().toISOString() }
        a.attachments.push(att)
        return send(res, 201, att)
      }
      if (m === 'POST' && action) {
        if (!allowedActions(sess, a).includes(action)) return err(res, 409, 'illegal_transition', '当前状态不允许此操作')
        const from = a.status
        const need = { transfer: 'reason', return: 'reason', note: 'note', reply: 'reply', resolve: 'reply', reject: 'reason', suspend: 'reason', reopen: 'reason' }[action]
        if (need && !String(body[need] || '').trim()) return err(res, 422, 'invalid', '请填写' + need, need)
        const to = { accept: 'accepted', note: a.status === 'accepted' ? 'in_progress' : a.status, resolve: 'resolved', reject: 'rejected', suspend: 'suspended', resume: 'in_progress', merge: 'merged', rate: body.satisfaction === 'dissatisfied' ? 'accepted' : 'evaluated', reopen: 'accepted', transfer: 'submitted', return: 'submitted' }[action] || a.status
        let data = null
        if (action === 'accept') (a.accepted_at = new Date().toISOString()), (a.handler_id = sess.userId)
        if (action === 'transfer') {
          const u = db.units.find((x) => x.id === body.unit_id)
          a.handler_unit_id = u.id
          a.handler_unit_name = u.name
          data = { to_unit_name: u.name }
        }
        if (action === 'reply' || action === 'resolve') a.reply = body.reply
        if (action === 'resolve') a.resolved_at = new Date().toISOString()
        if (action === 'rate') a.rating = body
        if (action === 'reopen' || (action === 'rate' && body.satisfaction === 'dissatisfied')) (a.reopen_count++, (a.resolved_at = null))
        if (action === 'merge') a.master_id = body.master_id
        if (action === 'extend' && body.days) (a.due_at = new Date(new Date(a.due_at).getTime() + body.days * 86400e3).toISOString()), (data = { days: body.days })
        a.status = to
        db.events.push({ id: db.nextId.event++, appeal_id: a.id, action, actor_id: sess.userId, actor_name: sess.user.display_name, from_status: from, to_status: to, note: body.note || body.reason || body.reply || body.comment || '', data, created_at: new Date().toISOString() })
        return send(res, 200, appealFull(sess, a))
      }
    }
    if (m === 'GET' && (mm = p.match(/^\/attachments\/(\d+)$/))) {
      const f = db.files.get(Number(mm[1]))
      if (!f) return err(res, 404, 'not_found', '附件不存在')
      res.writeHead(200, { 'Content-Type': f.type, 'Content-Length': f.body.length })
      return res.end(f.body)
    }

    // -- routing, calendar, inbox, webhooks, audit --
    if (p === '/routing-rules' && m === 'GET') return send(res, 200, page(db.rules, q))
    if (p === '/routing-rules' && m === 'POST') {
      const r = { id: db.nextId.rule++, ...body }
      db.rules.push(r)
      return send(res, 201, r)
    }
    if ((mm = p.match(/^\/routing-rules\/(\d+)$/))) {
      if (m === 'DELETE') return (db.rules = db.rules.filter((r) => r.id !== Number(mm[1]))), send(res, 204)
      if (m === 'PATCH') return send(res, 200, Object.assign(db.rules.find((r) => r.id === Number(mm[1])), body))
    }
    if (p === '/calendar' && m === 'GET') return send(res, 200, { days: db.calendar, settings: db.settings })
    if (p === '/calendar' && m === 'POST') {
      if (body.date) {
        db.calendar = db.calendar.filter((d) => d.date !== body.date).concat([body])
        return send(res, 201, body)
      }
      Object.assign(db.settings, body)
      return send(res, 200, db.settings)
    }
    if ((mm = p.match(/^\/calendar\/([\d-]+)$/)) && m === 'DELETE') return (db.calendar = db.calendar.filter((d) => d.date !== mm[1])), send(res, 204)
    if (p === '/inbox' && m === 'GET') {
      const items = q.get('unread') ? db.inbox.filter((x) => !x.read_at) : db.inbox
      return send(res, 200, page(items, q))
    }
    if ((mm = p.match(/^\/inbox\/(\d+)\/read$/)) && m === 'POST') {
      const it = db.inbox.find((x) => x.id === Number(mm[1]))
      if (it) it.read_at = new Date().toISOString()
      return send(res, 200, it)
    }
    if (p === '/webhooks' && m === 'GET') return send(res, 200, page(db.webhooks, q))
    if (p === '/webhooks' && m === 'POST') {
      const h = { id: db.nextId.hook++, active: true, created_at: new Date().toISOString(), ...body }
      delete h.secret
      db.webhooks.push(h)
      return send(res, 201, h)
    }
    if ((mm = p.match(/^\/webhooks\/(\d+)$/)) && m === 'DELETE') return (db.webhooks = db.webhooks.filter((h) => h.id !== Number(mm[1]))), send(res, 204)
    if (p === '/webhooks/deliveries' && m === 'GET') return send(res, 200, page(db.deliveries, q))
    if (p === '/audit' && m === 'GET') {
      if (!roles.has('auditor') && !roles.has('district_admin')) return err(res, 403, 'forbidden', '无权查看审计日志')
      let list = db.audit
      if (q.get('action')) list = list.filter((x) => x.action.includes(q.get('action')))
      if (q.get('actor')) list = list.filter((x) => String(x.actor_id) === q.get('actor'))
      return send(res, 200, page(list, q))
    }

    // -- stats --
    if (m === 'GET' && p === '/stats/appeals') {
      let list = db.appeals
      if (q.get('unit')) {
        const ids = subtreeIds(db, Number(q.get('unit')))
        list = list.filter((a) => ids.has(a.unit_id))
      }
      if (q.get('from')) list = list.filter((a) => a.created_at.slice(0, 10) >= q.get('from'))
      if (q.get('to')) list = list.filter((a) => a.created_at.slice(0, 10) <= q.get('to'))
      const out = statsGroups(list, q.get('group_by') || 'month')
      if (q.get('group_by') === 'unit' && q.get('unit')) {
        // every community of the street, even those without appeals
        const comms = db.units.filter((u) => u.parent_id === Number(q.get('unit')))
        out.groups = comms.map((c) => out.groups.find((g) => g.key === c.id) || { key: c.id, label: c.name, total: 0, overdue: 0, satisfaction_rate: null, resolution_rate: null })
      }
      return send(res, 200, out)
    }
    if (m === 'GET' && p === '/stats/rankings') {
      const level = q.get('level') || 'community'
      const list = db.units.filter((u) => u.kind === level).slice(0, 15)
      const items = list.map((u, i) => ({ unit_id: u.id, unit_name: u.name, score: Math.round((98 - i * 1.7 - (u.id % 3)) * 10) / 10, total: 30 - i, response_rate: 0.99 - i * 0.005, resolution_rate: 0.95 - i * 0.01, satisfaction_rate: 0.98 - i * 0.008, on_time_rate: 0.93 - i * 0.01 }))
      items.sort((a, b) => b.score - a.score).forEach((x, i) => (x.rank = i + 1))
      return send(res, 200, { month: q.get('month'), level, items })
    }

    // -- optional endpoints --
    if (optional) {
      if (m === 'GET' && p === '/suggest') {
        const text = q.get('text') || ''
        const answers = db.answers.filter((a) => [...a.title].some((ch) => text.includes(ch) && /[\u4e00-\u9fa5]/.test(ch))).slice(0, 3).map((a) => ({ id: a.id, title: a.title, snippet: a.problem }))
        const appeals = db.appeals.filter((a) => text.includes(a.title.slice(0, 4))).slice(0, 3).map((a) => ({ id: a.id, tracking_no: a.tracking_no, title: a.title, status: a.status }))
        return send(res, 200, { answers, appeals })
      }
      if (m === 'GET' && p === '/hot-problems') {
        const items = [
          { category_id: 2, category_name: '物业管理/电梯', unit_id: 7, unit_name: '珞狮路社区', period: '近30天', count: 42 },
          { category_id: 7, category_name: '市政设施/停车', unit_id: 8, unit_name: '广八路社区', period: '近30天', count: 35 },
          { category_id: 13, category_name: '环境卫生/噪音扰民', unit_id: 16, unit_name: '关山口社区', period: '近30天', count: 21 }
        ]
        return send(res, 200, { items, total: items.length, next: null })
      }
      if (m === 'GET' && p === '/search') {
        const text = q.get('q') || ''
        const hits = db.answers
          .filter((a) => !text || (a.title + a.problem + a.measures).includes(text) || [...text].some((ch) => a.title.includes(ch)))
          .map((a) => ({ type: 'answer', id: a.id, title: a.title, category_name: a.category_name, snippet: (a.problem + a.measures).replace(text || '\u0000', `<mark>${text}</mark>`) + ' <script>alert(1)</script>' }))
        return send(res, 200, page(hits, q))
      }
      if (m === 'GET' && (mm = p.match(/^\/kb\/answers\/(\d+)$/))) {
        const a = db.answers.find((x) => x.id === Number(mm[1]))
        return a ? send(res, 200, a) : err(res, 404, 'not_found', '答案不存在')
      }
      if (m === 'GET' && p === '/kb/columns') return send(res, 200, page([...db.columns].reverse(), q))
      if (m === 'GET' && (mm = p.match(/^\/kb\/columns\/(\d+)$/))) {
        const c = db.columns.find((x) => x.id === Number(mm[1]))
        return c ? send(res, 200, { ...c, answers: db.answers.filter((a) => a.column_id === c.id) }) : err(res, 404, 'not_found', '专栏不存在')
      }
      if (m === 'GET' && p === '/kb/volumes') return send(res, 200, page(db.volumes, q))
      if (m === 'GET' && (mm = p.match(/^\/kb\/volumes\/(\d+)\/print$/))) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP })
        return res.end('<!doctype html><meta charset="utf-8"><title>汇编</title><h1>高频问题·社区答案汇编</h1>' + db.answers.map((a) => `<h2>${a.title}</h2><p>${a.problem}</p>`).join(''))
      }
    }
    return err(res, 404, 'not_found', '接口不存在')
  }

  function serveStatic(req, res, url) {
    let file = path.join(dist, decodeURIComponent(url.pathname))
    if (!file.startsWith(dist)) return err(res, 400, 'bad_request', 'bad path')
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      if (url.pathname.startsWith('/assets/')) return err(res, 404, 'not_found', 'no such asset')
      file = path.join(dist, 'index.html')
    }
    const type = MIME[path.extname(file)] || 'application/octet-stream'
    const cache = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' })
    fs.createReadStream(file).pipe(res)
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    if (log) console.log(req.method, req.url)
    try {
      if (url.pathname === '/healthz') return send(res, 200, { status: 'ok', db: 'ok' })
      if (url.pathname.startsWith('/api/v1/') || url.pathname === '/api/v1') return await api(req, res, url)
      return serveStatic(req, res, url)
    } catch (e) {
      console.error(e)
      return err(res, 500, 'internal', String(e && e.message))
    }
  })
  await new Promise((resolve) => server.listen(port, host, resolve))
  const addr = server.address()
  return { server, db, url: `http://${host}:${addr.port}`, close: () => new Promise((r) => server.close(r)) }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const i = args.indexOf('--port')
  const port = i >= 0 ? Number(args[i + 1]) : 4174
  const m = await startMock({ port, optional: !args.includes('--no-optional'), log: args.includes('--log') })
  console.log(`sanqu mock listening on ${m.url} (accounts: admin handler resident collector auditor / ${PASSWORD})`)
}
