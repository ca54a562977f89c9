// UI strings, zh-CN first, English second, kept by domain in
// <domain>/i18n.js (export default { 'zh-CN': {...}, en: {...} }) and merged
// here: a new domain's file is picked up by itself. A key defined by two
// domains is a mistake: it is reported on the console (which fails the
// browser tests) and the first one is kept.
// t(key, params) looks the key up in the current locale, falls back to zh-CN,
// then to the key itself; "{name}" placeholders are replaced from params.
// The chosen locale is kept in localStorage under LOCALE_KEY.
import { ref } from 'vue'

const LOCALE_KEY = 'sanqu.locale'

// Every domain's strings, by domain name ('./appeals/i18n.js' -> appeals).
export const domains = Object.fromEntries(
  Object.entries(import.meta.glob('./*/i18n.js', { eager: true, import: 'default' }))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, d]) => [file.split('/')[1], d])
)

const zh = {}
const en = {}
for (const [name, d] of Object.entries(domains)) {
  for (const [dict, part] of [
    [zh, d['zh-CN']],
    [en, d.en]
  ]) {
    for (const [k, v] of Object.entries(part || {})) {
      if (k in dict) console.error(`i18n: ${k} defined again by ${name}`)
      else dict[k] = v
    }
  }
}

export const messages = { 'zh-CN': zh, en }

function initialLocale() {
  try {
    const saved = localStorage.getItem(LOCALE_KEY)
    if (saved && messages[saved]) return saved
  } catch (_) {
    // storage may be disabled; fall through to the default
  }
  return 'zh-CN'
}

export const locale = ref(initialLocale())

export function setLocale(l) {
  if (!messages[l]) return
  locale.value = l
  try {
    localStorage.setItem(LOCALE_KEY, l)
  } catch (_) {
    // not fatal: the choice just is not remembered
  }
  document.documentElement.lang = l
}

export function t(key, params) {
  const dict = messages[locale.value] || zh
  let s = dict[key]
  if (s === undefined) s = zh[key]
  if (s === undefined) return key
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m))
  return s
}

// Label for an enum value: t(prefix + '.' + value), or the raw value if unknown.
export function tl(prefix, value) {
  if (value === null || value === undefined || value === '') return ''
  const key = prefix + '.' + value
  const s = t(key)
  return s === key ? String(value) : s
}
