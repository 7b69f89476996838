// Every label a user reads for a status, action or role lives here.

const ORDER_STATUS = {
  ordered: { label: '待派单', tone: 'warning' },
  dispatched: { label: '待接单', tone: 'warning' },
  accepted: { label: '已接单', tone: 'primary' },
  in_service: { label: '服务中', tone: 'primary' },
  completed: { label: '待评价', tone: 'success' },
  rated: { label: '已评价', tone: 'muted' },
  cancelled: { label: '已取消', tone: 'muted' },
  closed: { label: '已关闭', tone: 'muted' },
}

// Tabs on 我的订单: the API filters by one status at a time.
const MY_ORDER_TABS = [
  { key: '', label: '全部' },
  { key: 'ordered', label: '待派单' },
  { key: 'dispatched', label: '待接单' },
  { key: 'accepted', label: '已接单' },
  { key: 'in_service', label: '服务中' },
  { key: 'completed', label: '待评价' },
  { key: 'rated', label: '已评价' },
  { key: 'cancelled', label: '已取消' },
]

// Tabs on 接单大厅 for volunteers.
const TASK_TABS = [
  { key: 'dispatched', label: '待接单' },
  { key: 'accepted', label: '已接单' },
  { key: 'in_service', label: '服务中' },
  // The API takes a comma-separated list of statuses.
  { key: 'completed,rated,closed', label: '已完成' },
]

/**
 * What each order action looks like and how it is taken:
 * confirm - a yes/no question; reason - a dialog asking for text; page - its own page.
 */
const ORDER_ACTIONS = {
  accept: { label: '接单', kind: 'primary', flow: 'confirm', confirm: '确定接下这个服务吗？接单后请按约定时间上门。' },
  start: { label: '开始服务', kind: 'primary', flow: 'confirm', confirm: '确定现在开始服务吗？' },
  complete: { label: '完成服务', kind: 'primary', flow: 'page' },
  rate: { label: '去评价', kind: 'primary', flow: 'page' },
  dispatch: { label: '派单', kind: 'primary', flow: 'page' },
  review: {
    label: '记录回访',
    kind: 'default',
    flow: 'reason',
    field: 'note',
    title: '回访记录',
    placeholder: '请写下回访的情况，例如：已电话回访，居民表示满意',
    options: ['已电话回访，居民表示满意', '已上门回访，问题已解决', '居民仍有意见，已协调处理'],
  },
  decline: {
    label: '婉拒',
    kind: 'default',
    flow: 'reason',
    field: 'reason',
    title: '婉拒原因',
    placeholder: '请告诉社区为什么不能接这个单',
    options: ['时间安排不开', '队里人手不够', '超出我们的服务范围'],
  },
  reopen: {
    label: '重新办理',
    kind: 'warn',
    flow: 'reason',
    field: 'reason',
    title: '重新办理的原因',
    placeholder: '请写明回访发现的问题',
    options: ['回访发现问题没有解决', '居民反映服务不到位'],
  },
  close: { label: '关闭工单', kind: 'default', flow: 'confirm', confirm: '确定关闭这个工单吗？关闭后居民不能再评价。' },
  cancel: {
    label: '取消订单',
    kind: 'warn',
    flow: 'reason',
    field: 'reason',
    title: '取消原因',
    placeholder: '请简单说一下取消的原因',
    options: ['问题已经解决了', '时间不合适了', '信息填错了，重新下单'],
  },
}

// The order buttons appear in: the main step first, the risky ones last.
const ORDER_ACTION_ORDER = ['accept', 'start', 'complete', 'rate', 'dispatch', 'review', 'decline', 'reopen', 'close', 'cancel']

// Timeline wording for order events.
const EVENT_LABELS = {
  create: '提交了服务需求',
  dispatch: '已派给服务队',
  accept: '志愿者已接单',
  decline: '服务队婉拒了',
  start: '开始服务',
  complete: '服务已完成',
  rate: '居民已评价',
  cancel: '订单已取消',
  close: '工单已关闭',
  reopen: '重新办理',
  review: '社区已回访',
}

const ROLE_LABELS = {
  resident: '居民',
  volunteer: '志愿者',
  staff: '社区工作人员',
  grid_worker: '网格员',
  admin: '管理员',
}

const TEAM_ROLE_LABELS = {
  leader: '队长',
  member: '队员',
}

const OFFERING_STATUS = {
  pending: { label: '待审核', tone: 'warning' },
  published: { label: '已发布', tone: 'success' },
  rejected: { label: '未通过', tone: 'danger' },
  withdrawn: { label: '已撤回', tone: 'muted' },
}

const CALL_STATUS = {
  open: { label: '报名中', tone: 'primary' },
  full: { label: '已满员', tone: 'warning' },
  closed: { label: '已结束', tone: 'muted' },
}

// My sign-up to a call.
const SIGNUP_STATUS = {
  signed_up: '已报名',
  checked_in: '已签到，待确认',
  confirmed: '已到场确认',
  withdrawn: '已取消报名',
}

const CALL_ACTIONS = {
  signup: { label: '我要报名', kind: 'primary', confirm: '确定报名参加这次活动吗？' },
  checkin: { label: '到场签到', kind: 'primary', confirm: '确定已经到达活动地点，现在签到吗？' },
  withdraw: { label: '取消报名', kind: 'default', confirm: '确定取消报名吗？' },
  close: { label: '结束活动', kind: 'warn', confirm: '确定结束这次吹哨活动吗？' },
}
const CALL_ACTION_ORDER = ['signup', 'checkin', 'withdraw', 'close']

const RATING_TAGS = {
  good: ['准时到达', '态度热情', '很有耐心', '办事利索', '专业细致'],
  bad: ['来得太晚', '态度不好', '问题没解决', '沟通不畅'],
}

const STAR_WORDS = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

const LEADERBOARD_PERIODS = [
  { key: 'week', label: '本周' },
  { key: 'month', label: '本月' },
  { key: 'year', label: '今年' },
  { key: 'all', label: '全部' },
]

// Quick choices for the preferred time (期望时间) on the order form.
const TIME_SLOTS = ['上午', '下午', '晚上', '时间都可以']

module.exports = {
  ORDER_STATUS,
  MY_ORDER_TABS,
  TASK_TABS,
  ORDER_ACTIONS,
  ORDER_ACTION_ORDER,
  EVENT_LABELS,
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
