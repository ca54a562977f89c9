// Tasks API (src/tasks/api.c, docs/api.md, docs/tasks.md): tracked tasks,
// their notes and state changes. opts passes through to request() (quiet...).
import { api } from '../api.js'

const id = (x) => encodeURIComponent(x)

export const listTasks = (params, opts) => api.get('/tasks', params, opts)
export const getTask = (taskId, opts) => api.get('/tasks/' + id(taskId), undefined, opts)
export const createTask = (body, opts) => api.post('/tasks', body, opts)
export const updateTask = (taskId, body, opts) => api.patch('/tasks/' + id(taskId), body, opts)
// POST /tasks/{id}/{action}: start, done, cancel, reopen; a note goes to /notes.
export const taskAction = (taskId, action, body, opts) => api.post(`/tasks/${id(taskId)}/${action === 'note' ? 'notes' : action}`, body || {}, opts)

// The list tabs: what each one asks the server for.
export const TASK_TABS = {
  todo: { state: 'open,in_progress' },
  soon: { due_soon: true },
  late: { overdue: true, state: 'open,in_progress' },
  done: { state: 'done', sort: '-due_at' }
}
