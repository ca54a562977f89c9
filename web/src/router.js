// Routes (history mode). meta.roles lists the roles that may open a page
// (any one is enough); meta.perm a permission /me must list (a page that
// only writes, such as filing an appeal); pages without either need only a
// signed-in user, and meta.public pages need nothing. Route components are
// loaded lazily. A domain's own pages come from its web/src/<domain>/routes.js
// through domains.js.
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe, hasRole, can, homeRoute } from './auth.js'
import { domainRoutes } from './domains.js'

const STAFF = ['handler', 'unit_admin', 'district_admin', 'auditor']
const HANDLERS = ['handler', 'unit_admin', 'district_admin']
const ADMINS = ['unit_admin', 'district_admin']
const DISTRICT = ['district_admin']

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true, bare: true, title: 'login.title' } },
  { path: '/', name: 'home', redirect: () => homeRoute() },
  { path: '/portal/new', name: 'portal-new', component: () => import('./views/portal/NewAppeal.vue'), meta: { perm: 'appeal.create', title: 'nav.portalNew' } },
  { path: '/portal/mine', name: 'portal-mine', component: () => import('./views/portal/MyAppeals.vue'), meta: { title: 'nav.portalMine' } },
  { path: '/collector', name: 'collector', component: () => import('./views/Collector.vue'), meta: { roles: ['collector', 'district_admin'], title: 'nav.collector' } },
  { path: '/workbench', name: 'workbench', component: () => import('./views/Workbench.vue'), meta: { roles: HANDLERS, title: 'nav.workbench' } },
  { path: '/appeals', name: 'appeals', component: () => import('./views/AppealList.vue'), meta: { roles: STAFF, title: 'nav.appeals' } },
  { path: '/appeals/:id', name: 'appeal', component: () => import('./views/AppealDetail.vue'), props: true, meta: { title: 'appeal.trackingNo' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('./views/Dashboard.vue'), meta: { roles: STAFF, title: 'nav.dashboard' } },
  ...domainRoutes, // each domain's web/src/<domain>/routes.js (domains.js)
  { path: '/inbox', name: 'inbox', component: () => import('./views/Inbox.vue'), meta: { title: 'nav.inbox' } },
  { path: '/audit', name: 'audit', component: () => import('./views/admin/Audit.vue'), meta: { roles: ['auditor', 'district_admin'], title: 'nav.audit' } },
  {
    path: '/admin',
    component: () => import('./views/admin/AdminLayout.vue'),
    meta: { roles: ['unit_admin', 'district_admin', 'auditor'], title: 'nav.admin' },
    children: [
      { path: '', name: 'admin', redirect: () => (hasRole(...ADMINS) ? { name: 'admin-units' } : { name: 'admin-users' }) },
      { path: 'units', name: 'admin-units', component: () => import('./views/admin/Units.vue'), meta: { roles: ADMINS, title: 'admin.units' } },
      { path: 'users', name: 'admin-users', component: () => import('./views/admin/Users.vue'), meta: { roles: ['unit_admin', 'district_admin', 'auditor'], title: 'admin.users' } },
      { path: 'categories', name: 'admin-categories', component: () => import('./views/admin/Categories.vue'), meta: { roles: DISTRICT, title: 'admin.categories' } },
      { path: 'routing', name: 'admin-routing', component: () => import('./views/admin/RoutingRules.vue'), meta: { roles: DISTRICT, title: 'admin.routing' } },
      { path: 'sla', name: 'admin-sla', component: () => import('./views/admin/Sla.vue'), meta: { roles: DISTRICT, title: 'admin.sla' } },
      { path: 'calendar', name: 'admin-calendar', component: () => import('./views/admin/Calendar.vue'), meta: { roles: DISTRICT, title: 'admin.calendar' } },
      { path: 'webhooks', name: 'admin-webhooks', component: () => import('./views/admin/Webhooks.vue'), meta: { roles: DISTRICT, title: 'admin.webhooks' } },
      { path: 'audit', name: 'admin-audit', component: () => import('./views/admin/Audit.vue'), meta: { roles: ['auditor', 'district_admin'], title: 'admin.audit' } }
    ]
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { public: true, title: 'notFound.title' } }
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 }
})

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      await loadMe()
    } catch (_) {
      // server unreachable: the login page will show the error on submit
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user && !session.mustChange) return homeRoute()
    return true
  }
  if (!session.user) return { name: 'login', query: { next: to.fullPath } }
  // a password set by someone else must be replaced before anything else
  if (session.mustChange) return { name: 'login', query: { change: '1' } }
  // Every matched record's roles must be satisfied (parent and child).
  for (const rec of to.matched) {
    const need = rec.meta && rec.meta.roles
    if (need && !hasRole(...need)) return homeRoute()
    if (rec.meta && rec.meta.perm && !can(rec.meta.perm)) return homeRoute()
  }
  return true
})
