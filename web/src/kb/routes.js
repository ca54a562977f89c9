// The knowledge base pages, menu entry and inbox link, picked up by
// ../domains.js; open to every signed-in user (the server filters what each
// one may read).

export const routes = [
  { path: '/kb', name: 'kb', component: () => import('../views/kb/KbSearch.vue'), meta: { title: 'nav.kb' } },
  { path: '/kb/answers/:id', name: 'kb-answer', component: () => import('../views/kb/AnswerDetail.vue'), props: true, meta: { title: 'kb.answer' } },
  { path: '/kb/columns', name: 'kb-columns', component: () => import('../views/kb/Columns.vue'), meta: { title: 'kb.columns' } },
  { path: '/kb/columns/:id', name: 'kb-column', component: () => import('../views/kb/ColumnDetail.vue'), props: true, meta: { title: 'kb.columns' } },
  { path: '/kb/volumes', name: 'kb-volumes', component: () => import('../views/kb/Volumes.vue'), meta: { title: 'kb.volumes' } }
]

export const nav = [{ path: '/kb', label: 'nav.kb', order: 80 }]

export const inbox = { kb: (id) => ({ name: 'kb-answer', params: { id } }) }
