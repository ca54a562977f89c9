// Accounts API (src/accounts/api.c, docs/api.md "Accounts"): the session
// (/me, sign-in, sign-out, registration), users and their role grants.
import { api } from '../api.js'

const id = (x) => encodeURIComponent(x)

export const getMe = (opts) => api.get('/me', null, opts)
export const login = (body, opts) => api.post('/auth/login', body, opts)
export const logout = (opts) => api.post('/auth/logout', {}, opts)
export const register = (body, opts) => api.post('/auth/register', body, opts)

export const listUsers = (params, opts) => api.get('/users', params, opts)
export const getUser = (userId, opts) => api.get('/users/' + id(userId), null, opts)
export const createUser = (body, opts) => api.post('/users', body, opts)
// PATCH /users/{id}: profile, disabled, or the password (own: with current_password).
export const updateUser = (userId, body, opts) => api.patch('/users/' + id(userId), body, opts)
// The unmasked phone and e-mail (audited on the server).
export const getUserPersonal = (userId, opts) => api.get(`/users/${id(userId)}/personal`, null, opts)
export const listUserGrants = (userId, opts) => api.get(`/users/${id(userId)}/grants`, null, opts)
export const createGrant = (body, opts) => api.post('/grants', body, opts)
export const deleteGrant = (grantId, opts) => api.del('/grants/' + id(grantId), opts)
