// Tracked tasks (任务/督办): the /api/v1/tasks calls (docs/api.md, docs/tasks.md).
import { api } from '../api.js'

export const TASK_STATES = ['open', 'in_progress', 'done', 'cancelled']

export const tasksApi = {
  list: (query, opts) => api.get('/tasks', query, opts),
  get: (id, opts) => api.get(`/tasks/${encodeURIComponent(id)}`, undefined, opts),
  create: (body) => api.post('/tasks', body),
  update: (id, body) => api.patch(`/tasks/${encodeURIComponent(id)}`, body),
  // note, start, done, cancel, reopen
  act: (id, action, body) => api.post(`/tasks/${encodeURIComponent(id)}/${action === 'note' ? 'notes' : action}`, body || {})
}

// The list tabs: what each one asks the server for.
export const TASK_TABS = {
  todo: { state: 'open,in_progress' },
  soon: { due_soon: true },
  late: { overdue: true, state: 'open,in_progress' },
  done: { state: 'done', sort: '-due_at' }
}
