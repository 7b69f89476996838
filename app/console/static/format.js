// Times in Asia/Shanghai whatever the computer's zone, numbers as people read them, and an order action's word.
import { ORDER_ACTION, ORDER_ACTION_IN_STATUS } from './labels.js'

const timeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
  minute: '2-digit', hour12: false,
})

/** { year, month, day, hour, minute } of a moment in Shanghai, zero-padded. */
export function shanghaiParts(date) {
  const parts = {}
  for (const part of timeFormat.formatToParts(date)) parts[part.type] = part.value
  if (parts.hour === '24') parts.hour = '00'
  return parts
}

export function fmtTime(iso) {
  if (!iso) return '—'
  const p = shanghaiParts(new Date(iso))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

export function thisMonth() {
  const p = shanghaiParts(new Date())
  return `${p.year}-${p.month}`
}

/** The current month and the ones before it, newest first, as YYYY-MM. */
export function recentMonths(current, count) {
  let year = Number(current.slice(0, 4))
  let month = Number(current.slice(5))
  const months = []
  for (let i = 0; i < count; i++) {
    months.push(`${year}-${String(month).padStart(2, '0')}`)
    month -= 1
    if (!month) {
      month = 12
      year -= 1
    }
  }
  return months
}

/** The first day of a month (YYYY-MM) and of the next, as YYYY-MM-DD: a period [from, to). */
export function monthPeriod(value) {
  const [year, month] = value.split('-').map(Number)
  const [nextYear, nextMonth] = month === 12 ? [year + 1, 1] : [year, month + 1]
  return { from: value + '-01', to: `${nextYear}-${String(nextMonth).padStart(2, '0')}-01` }
}

export function pct(rate) {
  if (rate === null || rate === undefined) return '—'
  return (Math.round(rate * 1000) / 10).toFixed(1) + '%'
}

export function num(value, digits) {
  if (value === null || value === undefined) return '—'
  return digits ? (Math.round(value * 10 ** digits) / 10 ** digits).toFixed(digits) : String(value)
}

export function minutesText(value) {
  if (value === null || value === undefined) return '—'
  if (value >= 120) return (Math.round(value / 6) / 10).toFixed(1) + ' 小时'
  return Math.round(value) + ' 分钟'
}

/** An order action's word for an order in `status` (改派: dispatching a dispatched order; an event: its from_status). */
export function actionLabel(action, status) {
  return ORDER_ACTION_IN_STATUS[`${action}:${status}`] || ORDER_ACTION[action] || action
}
