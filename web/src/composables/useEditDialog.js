// One create/edit dialog for the admin pages: open for a new record or for
// a row, a form model, client-side rules, submit through the domain API,
// the server's field errors under their field, a busy flag, close + reload.
//
//   const dlg = useEditDialog({
//     blank: () => ({ code: '', name: '' }),    // the model of a new record
//     fromRow: (row) => ({ ...row }),           // the model of an edited row (default: blank's keys from row)
//     rules: () => ({ name: [required()] }),    // Element Plus rules, re-read on locale change
//     body: (form, row) => ({ ...form }),       // request body (default: a copy of the form)
//     create: (body, opts) => createX(body, opts),
//     update: (row, body, opts) => updateX(row.id, body, opts),
//     saved: (result, row) => list.reload()     // after success (the dialog is closed)
//   })
// Template: <el-dialog v-model="dlg.open"> <el-form :ref="dlg.setForm" :model="dlg.form"
// :rules="dlg.rules"> <el-form-item prop="code" :error="dlg.errors.code"> ...
// dlg.submit() validates, sends, and on a 403, 409 or 422 naming a field of
// the form shows the server's message under that field instead of a toast.
import { ref, reactive, computed } from 'vue'
import { ElMessage } from 'element-plus'
import { t } from '../i18n.js'
import { showApiError } from '../api.js'

const FIELD_STATUSES = [403, 409, 422]

// The one "required" rule the admin forms use.
export function required(trigger = 'blur') {
  return { required: true, message: t('common.required'), trigger }
}

export function useEditDialog(opts) {
  const open = ref(false)
  const editing = ref(null) // the row being edited, null for a new record
  const busy = ref(false)
  const formRef = ref()
  const form = reactive(opts.blank())
  const errors = reactive({})
  const rules = computed(() => (opts.rules ? opts.rules() : {}))

  function clearErrors() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  function fill(values) {
    for (const k of Object.keys(form)) delete form[k]
    Object.assign(form, values)
    clearErrors()
    // the previous opening's client-side messages go too
    if (formRef.value) formRef.value.clearValidate()
  }

  function openCreate(preset) {
    editing.value = null
    fill({ ...opts.blank(), ...(preset || {}) })
    open.value = true
  }

  function openEdit(row) {
    if (!row) return openCreate()
    editing.value = row
    const blank = opts.blank()
    fill(opts.fromRow ? opts.fromRow(row) : Object.fromEntries(Object.keys(blank).map((k) => [k, row[k] ?? blank[k]])))
    open.value = true
  }

  function close() {
    open.value = false
  }

  // Resolves with the server's answer, or undefined when nothing was saved.
  async function submit() {
    if (busy.value) return undefined
    clearErrors()
    if (formRef.value) {
      const ok = await formRef.value.validate().catch(() => false)
      if (!ok) return undefined
    }
    busy.value = true
    const row = editing.value
    try {
      const body = opts.body ? opts.body({ ...form }, row) : { ...form }
      // refusals that may name a field: invalid (422), conflict (409), and a
      // 403 that names the field it is about (a unit out of one's reach)
      const quiet = { quiet: FIELD_STATUSES }
      const res = row ? await opts.update(row, body, quiet) : await opts.create(body, quiet)
      ElMessage.success(t('common.saved'))
      open.value = false
      if (opts.saved) await opts.saved(res, row)
      return res
    } catch (e) {
      if (e && e.field && e.field in form && FIELD_STATUSES.includes(e.status)) errors[e.field] = e.message
      else if (e && FIELD_STATUSES.includes(e.status)) showApiError(e)
      // other errors were shown by the api client
      return undefined
    } finally {
      busy.value = false
    }
  }

  // a function ref: the returned object is reactive, which would unwrap a ref
  const setForm = (el) => (formRef.value = el)

  return reactive({ open, editing, busy, form, errors, rules, setForm, openCreate, openEdit, close, submit })
}
