// The tasks pages, menu entry and inbox link, picked up by ../domains.js;
// open to whoever /me says holds task.read.

export const routes = [
  { path: '/tasks', name: 'tasks', component: () => import('./TaskList.vue'), meta: { perm: 'task.read', title: 'nav.tasks' } },
  { path: '/tasks/:id', name: 'task', component: () => import('./TaskDetail.vue'), props: true, meta: { perm: 'task.read', title: 'task.name' } }
]

export const nav = [{ path: '/tasks', label: 'nav.tasks', perm: 'task.read', order: 70 }]

export const inbox = { task: (id) => ({ name: 'task', params: { id } }) }
