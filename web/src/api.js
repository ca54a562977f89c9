// Thin client for the sanqu JSON API (docs/api.md).
// - Cookie session (credentials 'same-origin'); the CSRF token from login or
//   GET /api/v1/me is kept in memory only and sent as X-CSRF-Token on writes.
// - Errors come as {"error":{"code","message","field"}}: they are thrown as
//   ApiError and, unless the caller asks for quiet, shown with ElMessage.
// - 401 calls the registered unauthorized handler (the router sends the user
//   to the login page).
import { ElMessage } from 'element-plus'
import { t, tl } from './i18n.js'

const BASE = '/api/v1'
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

let csrfToken = null
let unauthorizedHandler = null

export function setCsrfToken(token) {
  csrfToken = token || null
}

export function setUnauthorizedHandler(fn) {
  unauthorizedHandler = fn
}

export class ApiError extends Error {
  constructor(status, code, message, field, requestId) {
    super(message || code || 'error')
    this.status = status
    this.code = code
    this.field = field
    this.requestId = requestId
  }
}

// Build "?a=1&b=2", skipping null, undefined and empty strings.
export function queryString(query) {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === null || v === undefined || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x))
    else p.append(k, String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

// Random key for Idempotency-Key; crypto.randomUUID needs a secure context,
// which an intranet over plain http is not.
export function newIdempotencyKey() {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// The toast for a failed request (the client shows it unless asked for quiet).
export function showApiError(err) {
  let msg = err.message
  // The server's messages are English: lead with the localized meaning of
  // the code, keep the server's detail after it.
  const key = 'err.code.' + err.code
  const head = t(key)
  if (head !== key && head !== msg) msg = head + (err.message ? '：' + err.message : '')
  if (err.allowed && err.allowed.length) msg += '；' + t('err.allowed', { list: err.allowed.map((a) => tl('action', a)).join('、') })
  if (err.requestId) msg += ' (' + err.requestId + ')'
  ElMessage({ type: 'error', message: msg, grouping: true, showClose: true })
}

/**
 * request(method, path, opts)
 *   opts.query    object of query parameters
 *   opts.body     JSON-serialisable value, or a Blob/File when opts.raw
 *   opts.raw      send body as is with opts.contentType
 *   opts.headers  extra headers
 *   opts.quiet    true: never show a message; or an array of statuses to keep quiet
 *   opts.noRedirect  do not call the unauthorized handler on 401
 * Resolves with the parsed JSON (or null for 204 / empty body).
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) }
  let body
  if (opts.body !== undefined) {
    if (opts.raw) {
      body = opts.body
      headers['Content-Type'] = opts.contentType || opts.body.type || 'application/octet-stream'
    } else {
      body = JSON.stringify(opts.body)
      headers['Content-Type'] = 'application/json'
    }
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  const quietFor = (status) =>
    opts.quiet === true || (Array.isArray(opts.quiet) && opts.quiet.includes(status))

  let res
  try {
    res = await fetch(BASE + path + queryString(opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin'
    })
  } catch (e) {
    const err = new ApiError(0, 'network', t('err.network'))
    if (!quietFor(0)) showApiError(err)
    throw err
  }

  let data = null
  const text = res.status === 204 ? '' : await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch (_) {
      data = null
    }
  }

  if (!res.ok) {
    const e = (data && data.error) || {}
    const err = new ApiError(
      res.status,
      e.code || 'http_' + res.status,
      e.message || t('err.unexpected', { status: res.status }),
      e.field,
      e.request_id
    )
    err.allowed = e.allowed || (data && data.allowed) || null
    // 429: seconds to wait before the next try (sign-in throttling, limits)
    const ra = parseInt(res.headers.get('Retry-After') || '', 10)
    err.retryAfter = Number.isFinite(ra) && ra > 0 ? ra : null
    if (res.status === 401 && !opts.noRedirect && unauthorizedHandler) {
      unauthorizedHandler(err)
    } else if (!quietFor(res.status)) {
      showApiError(err)
    }
    throw err
  }
  return data
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
  // Raw upload, e.g. an attachment: Content-Type is the file's own type.
  upload: (path, file, opts) =>
    request('POST', path, {
      ...opts,
      query: { filename: file.name || 'upload', ...(opts && opts.query) },
      body: file,
      raw: true,
      contentType: file.type
    })
}

// Items of a list answer, tolerant of a bare array.
export function itemsOf(data) {
  if (!data) return []
  if (Array.isArray(data)) return data
  return data.items || []
}

// URL of an attachment's content, for <img src> and download links.
export function attachmentUrl(id) {
  return BASE + '/attachments/' + encodeURIComponent(id)
}

export function apiUrl(path) {
  return BASE + path
}
