// Vite build for the sanqu web UI.
// Output goes to web/dist with every asset under /assets/, so the C server can
// embed dist/ and serve index.html for any non-API path (history routing).
// The CSP used in production forbids inline scripts and eval: nothing here may
// add either (no inline modulepreload polyfill, no runtime template compiler).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Group third-party code into a few stable, cacheable chunks.
function manualChunks(id) {
  if (!id.includes('node_modules')) return undefined
  if (/node_modules\/(echarts|zrender|tslib)\//.test(id)) return 'echarts'
  if (/node_modules\/(vue|@vue|vue-router)\//.test(id)) return 'vue'
  return 'element-plus'
}

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1100,
    rollupOptions: { output: { manualChunks } }
  },
  server: {
    port: 5173,
    proxy: { '/api': process.env.SANQU_API || 'http://127.0.0.1:8080' }
  },
  preview: {
    port: 4173,
    proxy: { '/api': process.env.SANQU_API || 'http://127.0.0.1:8080' }
  }
})
