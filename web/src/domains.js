// The pages a domain brings, gathered from web/src/<domain>/routes.js (as
// i18n.js gathers <domain>/i18n.js): a new domain's file is picked up by
// itself, so router.js, App.vue and views/Inbox.vue list nothing per domain.
// A domain's routes.js may export:
//   routes  its pages (vue-router records; meta.perm is the /me permission
//           that opens them, checked by the router guard);
//   nav     its menu entries: { path, label (i18n key), perm (the /me
//           permission that shows it; none: every signed-in user), order
//           (place in the top bar: the core's entries are 10, 20, ... 100),
//           icon (reserved: the top bar shows text only today) };
//   inbox   links from a notification to its page, by the notification's
//           domain name: { task: (recordId) => route }.
const modules = Object.entries(import.meta.glob('./*/routes.js', { eager: true }))
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([file, m]) => ({ domain: file.split('/')[1], ...m }))

export const domainRoutes = modules.flatMap((m) => m.routes || [])

export const domainNav = modules.flatMap((m) => (m.nav || []).map((n) => ({ order: 500, ...n, domain: m.domain })))

export const inboxLinks = {}
for (const m of modules) {
  for (const [name, fn] of Object.entries(m.inbox || {})) {
    if (name in inboxLinks) console.error(`domains: inbox link for ${name} defined again by ${m.domain}`)
    else inboxLinks[name] = fn
  }
}

// The page a notification opens, or null: a domain's own link for its
// records, else none.
export function inboxLink(m) {
  const fn = m && m.domain && m.record_id ? inboxLinks[m.domain] : null
  return fn ? fn(m.record_id) : null
}
