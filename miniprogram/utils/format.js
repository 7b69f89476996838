// Shown in Asia/Shanghai whatever the phone's zone; numbers as people read them.
const { ORDER_STATUS, ORDER_ACTIONS, ORDER_ACTION_ORDER, CALL_STATUS, SIGNUP_STATUS, actionLabel, eventLabel } = require('./constants')

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

function parseTime(value) {
  if (!value) return null
  const ms = typeof value === 'number' ? value : Date.parse(value)
  return isNaN(ms) ? null : ms
}

// A Date whose UTC fields read as Shanghai wall-clock time.
function shanghai(ms) {
  return new Date(ms + SHANGHAI_OFFSET_MS)
}

/** "5月3日 14:20"; with the year when it is not this year. */
function formatTime(value, now) {
  const ms = parseTime(value)
  if (ms === null) return ''
  const d = shanghai(ms)
  const current = shanghai(now || Date.now())
  const day = d.getUTCMonth() + 1 + '月' + d.getUTCDate() + '日'
  const year = d.getUTCFullYear() !== current.getUTCFullYear() ? d.getUTCFullYear() + '年' : ''
  return year + day + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes())
}

/** "YYYY-MM-DD" of a moment, in Shanghai. */
function formatDate(value) {
  const ms = parseTime(value)
  if (ms === null) return ''
  const d = shanghai(ms)
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate())
}

/** "刚刚", "5分钟前", "3小时前", else the time. */
function relativeTime(value, now) {
  const ms = parseTime(value)
  if (ms === null) return ''
  const diff = (now || Date.now()) - ms
  if (diff < 0) return formatTime(ms, now)
  if (diff < 60 * 1000) return '刚刚'
  if (diff < 3600 * 1000) return Math.floor(diff / 60000) + '分钟前'
  if (diff < 24 * 3600 * 1000) return Math.floor(diff / 3600000) + '小时前'
  return formatTime(ms, now)
}

/** 0.6667 → "66.7%"; null → "—". */
function percent(rate) {
  if (rate === null || rate === undefined || isNaN(rate)) return '—'
  return (Math.round(rate * 1000) / 10).toFixed(1) + '%'
}

/** 125 → "2小时5分钟". */
function duration(minutes) {
  if (minutes === null || minutes === undefined || isNaN(minutes)) return '—'
  const total = Math.round(minutes)
  if (total < 60) return total + '分钟'
  const hours = Math.floor(total / 60)
  const rest = total % 60
  if (hours < 24) return hours + '小时' + (rest ? rest + '分钟' : '')
  const days = Math.floor(hours / 24)
  return days + '天' + (hours % 24 ? (hours % 24) + '小时' : '')
}

function number(value) {
  if (value === null || value === undefined || isNaN(value)) return '—'
  return String(value)
}

/** The order's buttons, drawn from allowed_actions only, in a stable order, worded for the order's status. */
function orderActions(allowed, status) {
  const list = Array.isArray(allowed) ? allowed : []
  return ORDER_ACTION_ORDER.filter(name => list.indexOf(name) >= 0).map(name =>
    Object.assign({ name }, ORDER_ACTIONS[name], { label: actionLabel(name, status) }),
  )
}

function categoryName(item, categories) {
  if (item.category_name) return item.category_name
  const category = item.category
  if (category && typeof category === 'object') return category.name || category.code || ''
  const found = (categories || []).find(entry => entry.code === category)
  return found ? found.name : category || ''
}

/** An order with the fields its cards and pages show. */
function decorateOrder(order, categories) {
  const status = ORDER_STATUS[order.status] || { label: order.status, tone: 'muted' }
  return Object.assign({}, order, {
    statusLabel: status.label,
    statusTone: status.tone,
    categoryName: categoryName(order, categories),
    createdText: formatTime(order.created_at),
    dueText: formatTime(order.due_at),
    actions: orderActions(order.allowed_actions, order.status),
  })
}

function decorateEvent(event) {
  return Object.assign({}, event, {
    label: eventLabel(event.action, event.from_status),
    timeText: formatTime(event.created_at),
    actorName: event.actor_name || (event.actor && (event.actor.nickname || event.actor.name)) || '',
  })
}

function callStatus(call) {
  let key = call.status || 'open'
  const full = call.full !== undefined ? call.full : call.quota && call.signup_count >= call.quota
  if (key === 'open' && full) key = 'full'
  return CALL_STATUS[key] || { label: call.status_label || key, tone: 'muted' }
}

/** Whether I hold a place: my_signup not withdrawn (or a plain signed_up flag). */
function signedUp(call) {
  if (call.my_signup) return call.my_signup.status !== 'withdrawn'
  return !!call.signed_up
}

function decorateCall(call) {
  const status = callStatus(call)
  const mine = signedUp(call)
  return Object.assign({}, call, {
    statusLabel: status.label,
    statusTone: status.tone,
    startsText: formatTime(call.starts_at),
    quotaText: call.quota ? (call.signup_count || 0) + ' / ' + call.quota + ' 人' : (call.signup_count || 0) + ' 人已报名',
    signedUp: mine,
    signupText: mine ? SIGNUP_STATUS[(call.my_signup && call.my_signup.status) || 'signed_up'] || SIGNUP_STATUS.signed_up : '',
  })
}

module.exports = {
  parseTime,
  formatTime,
  formatDate,
  relativeTime,
  percent,
  duration,
  number,
  orderActions,
  categoryName,
  decorateOrder,
  decorateEvent,
  decorateCall,
  signedUp,
}
