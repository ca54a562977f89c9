// The tasks pages, added to the app router with one line (../router.js);
// open to whoever /me says holds task.read.

export const tasksRoutes = [
  { path: '/tasks', name: 'tasks', component: () => import('./TaskList.vue'), meta: { perm: 'task.read', title: 'nav.tasks' } },
  { path: '/tasks/:id', name: 'task', component: () => import('./TaskDetail.vue'), props: true, meta: { perm: 'task.read', title: 'task.name' } }
]
