// The tasks pages, added to the app router with one line (../router.js).
export const TASK_READERS = ['handler', 'unit_admin', 'district_admin', 'auditor']

export const tasksRoutes = [
  { path: '/tasks', name: 'tasks', component: () => import('./TaskList.vue'), meta: { roles: TASK_READERS, title: 'nav.tasks' } },
  { path: '/tasks/:id', name: 'task', component: () => import('./TaskDetail.vue'), props: true, meta: { roles: TASK_READERS, title: 'task.name' } }
]
