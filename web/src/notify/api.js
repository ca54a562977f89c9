// Notify API (src/notify/api.c, docs/events.md): the signed-in user's inbox
// and the district's webhooks with their delivery log.
import { api } from '../api.js'

const id = (x) => encodeURIComponent(x)

export const listInbox = (params, opts) => api.get('/inbox', params, opts)
export const markInboxRead = (messageId, opts) => api.post(`/inbox/${id(messageId)}/read`, {}, opts)
export const markInboxAllRead = (opts) => api.post('/inbox/read-all', {}, opts)

export const listWebhooks = (params, opts) => api.get('/webhooks', params, opts)
export const createWebhook = (body, opts) => api.post('/webhooks', body, opts)
export const deleteWebhook = (hookId, opts) => api.del('/webhooks/' + id(hookId), opts)
export const listDeliveries = (params, opts) => api.get('/webhooks/deliveries', params, opts)
