// How statuses, actions and roles are shown and taken. Their words come from ./labels.js, which
// `make labels` generates from the server's enums: change a label there, never here.
const labels = require('./labels')

/** { key: { label, ...rest } } from a label map and each key's other fields. */
function labelled(words, rest) {
  const out = {}
  Object.keys(rest).forEach(key => {
    out[key] = Object.assign({ label: words[key] }, rest[key])
  })
  return out
}

const ORDER_STATUS = labelled(labels.ORDER_STATUS, {
  ordered: { tone: 'warning' },
  dispatched: { tone: 'warning' },
  accepted: { tone: 'primary' },
  in_service: { tone: 'primary' },
  completed: { tone: 'success' },
  rated: { tone: 'muted' },
  cancelled: { tone: 'muted' },
  closed: { tone: 'muted' },
})

const statusTab = key => ({ key, label: labels.ORDER_STATUS[key] })

// Tabs on 我的订单: the API filters by one status at a time.
const MY_ORDER_TABS = [{ key: '', label: '全部' }].concat(
  ['ordered', 'dispatched', 'accepted', 'in_service', 'completed', 'rated', 'cancelled'].map(statusTab),
)

// Tabs on 接单大厅 for volunteers.
const TASK_TABS = [
  statusTab('dispatched'),
  statusTab('accepted'),
  statusTab('in_service'),
  // The API takes a comma-separated list of statuses.
  { key: 'completed,rated,closed', label: '已完成' },
]

/**
 * What each order action looks like and how it is taken:
 * confirm - a yes/no question; reason - a dialog asking for text; page - its own page.
 */
const ORDER_ACTIONS = labelled(labels.ORDER_ACTION, {
  accept: { kind: 'primary', flow: 'confirm', confirm: '确定接下这个服务吗？接单后请按约定时间上门。' },
  start: { kind: 'primary', flow: 'confirm', confirm: '确定现在开始服务吗？' },
  complete: { kind: 'primary', flow: 'page' },
  rate: { kind: 'primary', flow: 'page' },
  dispatch: { kind: 'primary', flow: 'page' },
  review: {
    kind: 'default',
    flow: 'reason',
    field: 'note',
    title: '回访记录',
    placeholder: '请写下回访的情况，例如：已电话回访，居民表示满意',
    options: ['已电话回访，居民表示满意', '已上门回访，问题已解决', '居民仍有意见，已协调处理'],
  },
  decline: {
    kind: 'default',
    flow: 'reason',
    field: 'reason',
    title: '退回原因',
    placeholder: '请告诉社区为什么不能接这个单',
    options: ['时间安排不开', '队里人手不够', '超出我们的服务范围'],
  },
  reopen: {
    kind: 'warn',
    flow: 'reason',
    field: 'reason',
    title: '重新办理的原因',
    placeholder: '请写明回访发现的问题',
    options: ['回访发现问题没有解决', '居民反映服务不到位'],
  },
  close: { kind: 'default', flow: 'confirm', confirm: '确定关闭这个工单吗？关闭后居民不能再评价。' },
  cancel: {
    kind: 'warn',
    flow: 'reason',
    field: 'reason',
    title: '取消原因',
    placeholder: '请简单说一下取消的原因',
    options: ['问题已经解决了', '时间不合适了', '信息填错了，重新下单'],
  },
})

/** An action's word for an order in `status` (改派 for dispatching a dispatched order), from the generated labels. */
function actionLabel(name, status) {
  return labels.ORDER_ACTION_IN_STATUS[name + ':' + status] || labels.ORDER_ACTION[name] || name
}

/** A timeline event's words, by the status it left (已改派… for a dispatch of a dispatched order). */
function eventLabel(action, fromStatus) {
  return labels.ORDER_EVENT_IN_STATUS[action + ':' + fromStatus] || labels.ORDER_EVENT[action] || action
}

// The order buttons appear in: the main step first, the risky ones last.
const ORDER_ACTION_ORDER = ['accept', 'start', 'complete', 'rate', 'dispatch', 'review', 'decline', 'reopen', 'close', 'cancel']

// Timeline wording for order events.
const EVENT_LABELS = labels.ORDER_EVENT

const ROLE_LABELS = labels.ROLE

const TEAM_ROLE_LABELS = labels.TEAM_ROLE

const OFFERING_STATUS = labelled(labels.OFFERING_STATUS, {
  pending: { tone: 'warning' },
  published: { tone: 'success' },
  rejected: { tone: 'danger' },
  withdrawn: { tone: 'muted' },
})

const CALL_STATUS = labelled(labels.CALL_STATUS, {
  open: { tone: 'primary' },
  full: { tone: 'warning' },
  closed: { tone: 'muted' },
})

// My sign-up to a call.
const SIGNUP_STATUS = labels.SIGNUP_STATUS

const CALL_ACTIONS = labelled(labels.CALL_ACTION, {
  signup: { kind: 'primary', confirm: '确定报名参加这次活动吗？' },
  checkin: { kind: 'primary', confirm: '确定已经到达活动地点，现在签到吗？' },
  withdraw: { kind: 'default', confirm: '确定取消报名吗？' },
  close: { kind: 'warn', confirm: '确定结束报名吗？结束后不再接受报名和签到。' },
  confirm: { kind: 'primary' }, // staff, for each sign-up (not in allowed_actions)
})
const CALL_ACTION_ORDER = ['signup', 'checkin', 'withdraw', 'close']

const RATING_TAGS = {
  good: ['准时到达', '态度热情', '很有耐心', '办事利索', '专业细致'],
  bad: ['来得太晚', '态度不好', '问题没解决', '沟通不畅'],
}

const STAR_WORDS = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

const LEADERBOARD_PERIODS = Object.keys(labels.POINTS_PERIOD).map(key => ({ key, label: labels.POINTS_PERIOD[key] }))

// Quick choices for the preferred time (期望时间) on the order form.
const TIME_SLOTS = labels.TIME_SLOTS.concat(['时间都可以'])

module.exports = {
  ORDER_STATUS,
  MY_ORDER_TABS,
  TASK_TABS,
  ORDER_ACTIONS,
  ORDER_ACTION_ORDER,
  EVENT_LABELS,
  actionLabel,
  eventLabel,
  ROLE_LABELS,
  TEAM_ROLE_LABELS,
  OFFERING_STATUS,
  CALL_STATUS,
  SIGNUP_STATUS,
  CALL_ACTIONS,
  CALL_ACTION_ORDER,
  RATING_TAGS,
  STAR_WORDS,
  LEADERBOARD_PERIODS,
  TIME_SLOTS,
}
