// 志愿积分: my balance and ledger, and the area's leaderboard.
const { call } = require('../utils/request')

const ROUTES = {
  mine: { method: 'GET', path: '/me/points' },
  leaderboard: { method: 'GET', path: '/points/leaderboard' },
}

/** → { balance, entries: [...] } (entries may also page with next_cursor). */
function myPoints(query, options) {
  return call(ROUTES.mine, Object.assign({ query }, options))
}

/** leaderboard({ area_id, period }) → { items: [{ user_id, nickname, points }] } */
function leaderboard(query, options) {
  return call(ROUTES.leaderboard, Object.assign({ query }, options))
}

module.exports = { ROUTES, myPoints, leaderboard }
