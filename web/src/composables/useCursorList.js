// Reusable state for cursor-paginated lists ({items,total,next}).
// Pages are walked with the server's opaque cursors: cursors[i] is the cursor
// that fetches page i (null for the first), so "previous" is always possible
// without the server supporting offsets.
import { reactive } from 'vue'

export function useCursorList(fetchPage, { pageSize = 20 } = {}) {
  const state = reactive({
    items: [],
    total: 0,
    page: 0,
    pageSize,
    cursors: [null],
    hasNext: false,
    loading: false,
    error: '',
    loaded: false
  })
  let seq = 0

  async function loadPage(index) {
    const my = ++seq
    state.loading = true
    state.error = ''
    try {
      const data = await fetchPage({ limit: state.pageSize, cursor: state.cursors[index] || undefined })
      if (my !== seq) return
      state.items = (data && (Array.isArray(data) ? data : data.items)) || []
      state.total = data && typeof data.total === 'number' ? data.total : state.items.length
      const next = data && data.next
      state.cursors[index + 1] = next || null
      state.cursors.length = index + 2
      state.hasNext = !!next
      state.page = index
    } catch (e) {
      if (my !== seq) return
      state.items = []
      state.error = e.message || String(e)
    } finally {
      if (my === seq) {
        state.loading = false
        state.loaded = true
      }
    }
  }

  return {
    state,
    reload: () => {
      state.cursors = [null]
      return loadPage(0)
    },
    refresh: () => loadPage(state.page),
    next: () => state.hasNext && loadPage(state.page + 1),
    prev: () => state.page > 0 && loadPage(state.page - 1),
    setPageSize: (n) => {
      state.pageSize = n
      state.cursors = [null]
      return loadPage(0)
    }
  }
}
