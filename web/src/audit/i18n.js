// UI strings of audit: the audit log page.
// zh-CN first, English second; merged by ../i18n.js, which refuses a key defined twice.
export default {
  'zh-CN': {
    'audit.action': '动作',
    'audit.actor': '操作人',
    'audit.target': '对象',
    'audit.ip': 'IP',
    'audit.data': '详情',
    'audit.time': '时间'
  },
  en: {
    'audit.action': 'Action',
    'audit.actor': 'Actor',
    'audit.target': 'Target',
    'audit.ip': 'IP',
    'audit.data': 'Data',
    'audit.time': 'Time'
  }
}
