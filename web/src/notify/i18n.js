// UI strings of notify: the inbox and webhooks.
// zh-CN first, English second; merged by ../i18n.js, which refuses a key defined twice.
export default {
  'zh-CN': {
    'wh.url': '回调地址',
    'wh.events': '事件',
    'wh.secret': '签名密钥',
    'wh.active': '启用',
    'wh.deliveries': '投递记录',
    'wh.attempts': '尝试次数',
    'wh.responseCode': '响应码',
    'wh.lastError': '错误',
    'wh.deliveredAt': '投递时间',
    'wh.event': '事件',
    'inbox.title': '消息',
    'inbox.empty': '没有新消息',
    'inbox.markRead': '标为已读',
    'webhook.secretOnce': '签名密钥只显示这一次，请妥善保存：',
    'inbox.readAll': '全部标为已读'
  },
  en: {
    'wh.url': 'URL',
    'wh.events': 'Events',
    'wh.secret': 'Secret',
    'wh.active': 'Active',
    'wh.deliveries': 'Deliveries',
    'wh.attempts': 'Attempts',
    'wh.responseCode': 'Response',
    'wh.lastError': 'Error',
    'wh.deliveredAt': 'Delivered',
    'wh.event': 'Event',
    'inbox.title': 'Inbox',
    'inbox.empty': 'No messages',
    'inbox.markRead': 'Mark read',
    'webhook.secretOnce': 'The signing secret is shown only once, keep it:',
    'inbox.readAll': 'Mark all read'
  }
}
