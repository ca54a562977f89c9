// Small helpers shared by the views: dates, countdowns, CSV export, safe
// search snippets, debounce and a phone-width media query.
import { ref, onBeforeUnmount, onMounted } from 'vue'
import { t } from './i18n.js'

const pad = (n) => String(n).padStart(2, '0')

// "2026-11-27 09:30": the server writes local district time with its offset
// (+08:00); show that wall clock whatever the browser's zone.
export function fmtTime(iso) {
  if (!iso) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?([+-]\d{2}:?\d{2})$/.exec(String(iso))
  if (m) return `${m[1]} ${m[2]}`
  const d = new Date(iso)
  if (isNaN(d)) return String(iso)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function fmtDate(d) {
  if (!d) return ''
  if (typeof d === 'string') return d.slice(0, 10)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function fmtPercent(v) {
  if (v === null || v === undefined || isNaN(v)) return '—'
  // Rates come as fractions 0..1.
  return (Number(v) * 100).toFixed(1) + '%'
}

// One clock for every countdown on the page, ticking once a second.
export const now = ref(Date.now())
let ticking = 0
let timer = null
export function useNow() {
  onMounted(() => {
    if (ticking++ === 0) timer = setInterval(() => (now.value = Date.now()), 1000)
  })
  onBeforeUnmount(() => {
    if (--ticking === 0) {
      clearInterval(timer)
      timer = null
    }
  })
  return now
}

// "2天3小时" from milliseconds; seconds shown only in the last hour.
export function fmtDuration(ms) {
  ms = Math.abs(ms)
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const parts = []
  if (d) parts.push(t('appeal.days', { n: d }))
  if (h) parts.push(t('appeal.hours', { n: h }))
  if (!d) parts.push(t('appeal.minutes', { n: m }))
  if (!d && !h) parts.push(t('appeal.seconds', { n: sec }))
  return parts.join(' ')
}

export function statusType(status) {
  return (
    {
      submitted: 'warning',
      accepted: 'primary',
      in_progress: 'primary',
      suspended: 'info',
      resolved: 'success',
      evaluated: 'success',
      closed: 'info',
      rejected: 'danger',
      merged: 'info'
    }[status] || 'info'
  )
}

// Escape all HTML, then restore exactly <mark> and </mark>: the only markup
// a search snippet may carry.
export function safeSnippet(s) {
  if (s === null || s === undefined) return ''
  const esc = String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
  return esc.replace(/&lt;(\/?)mark&gt;/gi, '<$1mark>')
}

// Server-made highlight HTML (title_html, snippet_html: escaped text with
// <mark>): keep only <mark>/</mark>, neutralise any other angle bracket.
export function markHtml(s) {
  if (s === null || s === undefined) return ''
  return String(s)
    .replace(/<(\/?)mark>/gi, '\u0001$1\u0002')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\u0001(\/?)\u0002/g, '<$1mark>')
}

// Rows (arrays) -> CSV text with a BOM so that Excel reads UTF-8.
export function toCsv(rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return ''
    let s = String(v)
    // Neutralise spreadsheet formulas in untrusted text.
    if (/^[=+\-@]/.test(s) && isNaN(Number(s))) s = "'" + s
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
  }
  return '\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}

export function downloadCsv(filename, rows) {
  const blob = new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export function debounce(fn, ms) {
  let h = null
  const d = (...args) => {
    clearTimeout(h)
    h = setTimeout(() => fn(...args), ms)
  }
  d.cancel = () => clearTimeout(h)
  return d
}

// true while the viewport is at most `px` wide (phones).
export function useNarrow(px = 768) {
  const mq = window.matchMedia(`(max-width: ${px}px)`)
  const narrow = ref(mq.matches)
  const on = (e) => (narrow.value = e.matches)
  onMounted(() => mq.addEventListener('change', on))
  onBeforeUnmount(() => mq.removeEventListener('change', on))
  return narrow
}

// Phone check for contact numbers: mobile, or landline with area code.
export function validPhone(s) {
  return /^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$/.test(String(s || '').replace(/\s/g, ''))
}

export const MAX_UPLOAD = 10 * 1024 * 1024
export const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'application/pdf']

// Flatten a category tree into id -> node.
export function indexTree(items, map = new Map()) {
  for (const n of items || []) {
    map.set(n.id, n)
    if (n.children) indexTree(n.children, map)
  }
  return map
}
