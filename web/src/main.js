// Entry: create the app, register Element Plus parts, the router, and send
// the user to the login page whenever the API answers 401.
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router.js'
import { installElements } from './elements.js'
import { setUnauthorizedHandler } from './api.js'
import { clearSession } from './auth.js'
import { locale } from './i18n.js'
import { loadEnums } from './enums.js'
import './styles.css'

document.documentElement.lang = locale.value

setUnauthorizedHandler(() => {
  clearSession()
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.push({ name: 'login', query: { next: cur.fullPath, expired: '1' } })
})

// the server's statuses, kinds and roles, wanted by most pages
loadEnums().catch(() => {})

const app = createApp(App)
installElements(app)
app.use(router)
app.mount('#app')
