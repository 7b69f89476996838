// 周期服务: recurring visits staff and grid workers set up for residents; each visit becomes an order.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/care-plans' },
  create: { method: 'POST', path: '/care-plans' },
  get: { method: 'GET', path: '/care-plans/{id}' },
  pause: { method: 'POST', path: '/care-plans/{id}/pause' },
  resume: { method: 'POST', path: '/care-plans/{id}/resume' },
  end: { method: 'POST', path: '/care-plans/{id}/end' },
}

const ACTION_LOADING = { pause: '正在暂停…', resume: '正在恢复…', end: '正在结束…' }

/** listPlans({ area_id, status, limit, cursor }) → { items, next_cursor } */
function listPlans(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

/** getPlan(id) → the plan with its filed visits (newest first). */
function getPlan(id, options) {
  return call(ROUTES.get, Object.assign({ params: { id } }, options))
}

/** createPlan({ resident: {name, phone} | {user_id}, area_id, category, title?, description, address, weekdays,
 *   time_slot, starts_on, ends_on?, team_id? }) */
function createPlan(data) {
  return call(ROUTES.create, { data, loading: '正在保存…' })
}

/** actOnPlan(id, 'pause' | 'resume' | 'end') → the plan. */
function actOnPlan(id, action) {
  if (!ACTION_LOADING[action]) return Promise.reject(new Error('Unknown care plan action: ' + action))
  return call(ROUTES[action], { params: { id }, loading: ACTION_LOADING[action] })
}

module.exports = { ROUTES, listPlans, getPlan, createPlan, actOnPlan }
