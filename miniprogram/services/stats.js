// 统计: the figures of §5 for an area and period.
const { call } = require('../utils/request')

const ROUTES = {
  summary: { method: 'GET', path: '/stats/summary' },
}

/** getSummary({ area_id, from, to }) with dates as YYYY-MM-DD; `to` is exclusive. */
function getSummary(query, options) {
  return call(ROUTES.summary, Object.assign({ query }, options))
}

module.exports = { ROUTES, getSummary }
