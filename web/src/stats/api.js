// Stats API (src/stats/api.c, docs/api.md "Statistics"): KPIs, rankings and
// the CSV export behind the dashboard.
import { api, apiUrl, queryString } from '../api.js'

export const appealStats = (params, opts) => api.get('/stats/appeals', params, opts)
export const rankings = (params, opts) => api.get('/stats/rankings', params, opts)
// A link (not a request): the browser downloads the CSV with the session cookie.
export const exportCsvUrl = (params) => apiUrl('/stats/export.csv') + queryString(params)
