// 积分超市: rewards of my communities, redeeming points, my redemptions, and staff's 核销.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/rewards' },
  redeem: { method: 'POST', path: '/rewards/{id}/redeem' },
  mine: { method: 'GET', path: '/me/redemptions' },
  area: { method: 'GET', path: '/redemptions' },
  fulfil: { method: 'POST', path: '/redemptions/{id}/fulfil' },
  cancel: { method: 'POST', path: '/redemptions/{id}/cancel' },
}

/** listRewards({ area_id?, in_stock?, cursor, limit }) → { items, next_cursor, balance } */
function listRewards(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

/** → the redemption { id, code, status: 'pending', points, … }; the points are debited at once. */
function redeem(id) {
  return call(ROUTES.redeem, { params: { id }, loading: '正在兑换…' })
}

/** myRedemptions({ status?, cursor, limit }) → { items, next_cursor } (each with its code while pending) */
function myRedemptions(query, options) {
  return call(ROUTES.mine, Object.assign({ query }, options))
}

/** Staff: the redemption a volunteer's code belongs to → { items: [redemption] } */
function findByCode(code, options) {
  return call(ROUTES.area, Object.assign({ query: { code, limit: 5 } }, options))
}

function fulfil(id, code) {
  return call(ROUTES.fulfil, { params: { id }, data: { code }, loading: '正在核销…' })
}

function cancel(id) {
  return call(ROUTES.cancel, { params: { id }, loading: '正在取消…' })
}

module.exports = { ROUTES, listRewards, redeem, myRedemptions, findByCode, fulfil, cancel }
