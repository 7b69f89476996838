// Date ranges [from, to) as YYYY-MM-DD in Asia/Shanghai, for GET /stats/summary.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
const DAY_MS = 24 * 3600 * 1000

const PERIODS = [
  { key: 'month', label: '本月' },
  { key: 'last_month', label: '上月' },
  { key: 'week', label: '近7天' },
  { key: 'year', label: '今年' },
]

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

function ymd(year, month, day) {
  // Normalises month overflow (month 12 → next January).
  const d = new Date(Date.UTC(year, month, day))
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate())
}

/** periodRange('month', now) → { from: '2024-05-01', to: '2024-06-01' } */
function periodRange(key, now) {
  const local = new Date((now || Date.now()) + SHANGHAI_OFFSET_MS)
  const y = local.getUTCFullYear()
  const m = local.getUTCMonth()
  const d = local.getUTCDate()
  switch (key) {
    case 'last_month':
      return { from: ymd(y, m - 1, 1), to: ymd(y, m, 1) }
    case 'week':
      return { from: ymd(y, m, d - 6), to: ymd(y, m, d + 1) }
    case 'year':
      return { from: ymd(y, 0, 1), to: ymd(y + 1, 0, 1) }
    case 'month':
    default:
      return { from: ymd(y, m, 1), to: ymd(y, m + 1, 1) }
  }
}

/** '2024-05-01' … '2024-06-01' → '2024-05-01 至 2024-05-31' (to is exclusive). */
function rangeText(range) {
  const end = new Date(Date.parse(range.to + 'T00:00:00Z') - DAY_MS)
  const last = end.getUTCFullYear() + '-' + pad(end.getUTCMonth() + 1) + '-' + pad(end.getUTCDate())
  return range.from + ' 至 ' + last
}

module.exports = { PERIODS, periodRange, rangeText }
