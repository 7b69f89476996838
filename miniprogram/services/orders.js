// 工单: placing, listing and acting on orders. Every action returns the updated order.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/orders' },
  create: { method: 'POST', path: '/orders' },
  get: { method: 'GET', path: '/orders/{id}' },
  possibleDuplicates: { method: 'GET', path: '/orders/possible-duplicates' },
  duplicates: { method: 'GET', path: '/orders/duplicates' },
  dispatch: { method: 'POST', path: '/orders/{id}/dispatch' },
  accept: { method: 'POST', path: '/orders/{id}/accept' },
  decline: { method: 'POST', path: '/orders/{id}/decline' },
  start: { method: 'POST', path: '/orders/{id}/start' },
  complete: { method: 'POST', path: '/orders/{id}/complete' },
  rate: { method: 'POST', path: '/orders/{id}/rate' },
  cancel: { method: 'POST', path: '/orders/{id}/cancel' },
  close: { method: 'POST', path: '/orders/{id}/close' },
  reopen: { method: 'POST', path: '/orders/{id}/reopen' },
  review: { method: 'POST', path: '/orders/{id}/review' },
}

// The Chinese text shown while each action is being sent.
const ACTION_LOADING = {
  dispatch: '正在派单…',
  accept: '正在接单…',
  decline: '正在提交…',
  start: '正在提交…',
  complete: '正在提交…',
  rate: '正在提交评价…',
  cancel: '正在取消…',
  close: '正在关闭…',
  reopen: '正在提交…',
  review: '正在保存…',
}

/**
 * listOrders({ view, status, area_id, team_id, category, overdue, limit, cursor }) → { items, next_cursor }
 * view: requester (mine) | team (my teams') | assigned (mine to serve) | area (staff); status may be
 * a comma-separated list.
 */
function listOrders(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

/** possibleDuplicates(category, onBehalfPhone?) → { items: [{ id, title, status, created_at }] }: my open orders of
 * the category from the last 3 days that a new order would duplicate (the form asks before sending). */
function possibleDuplicates(category, onBehalfPhone, options) {
  const query = onBehalfPhone ? { category, on_behalf_phone: onBehalfPhone } : { category }
  return call(ROUTES.possibleDuplicates, Object.assign({ query }, options))
}

/** duplicateMarks(ids) → { items: [{ order_id, duplicates: [ids] }] }: likely duplicates among these orders. */
function duplicateMarks(ids, options) {
  return call(ROUTES.duplicates, Object.assign({ query: { ids: ids.join(',') } }, options))
}

function getOrder(id, options) {
  return call(ROUTES.get, Object.assign({ params: { id } }, options))
}

/**
 * createOrder({ category, description, address, contact_name, contact_phone, area_id,
 *   title?, offering_id?, preferred_time?, photos?, on_behalf_of? }, idempotencyKey)
 */
function createOrder(data, idempotencyKey) {
  const header = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}
  return call(ROUTES.create, { data, header, loading: '正在提交…' })
}

/** act(id, action, body): POST /orders/{id}/{action}; body per the contract. */
function act(id, action, body) {
  const route = ROUTES[action]
  if (!route || route.method !== 'POST' || action === 'create') {
    return Promise.reject(new Error('Unknown order action: ' + action))
  }
  return call(route, { params: { id }, data: body || {}, loading: ACTION_LOADING[action] || '正在提交…' })
}

const dispatchOrder = (id, teamId, note) => act(id, 'dispatch', note ? { team_id: teamId, note } : { team_id: teamId })
const acceptOrder = id => act(id, 'accept')
const declineOrder = (id, reason) => act(id, 'decline', { reason })
const startOrder = id => act(id, 'start')
const completeOrder = (id, result, photos) => act(id, 'complete', photos && photos.length ? { result, photos } : { result })
const rateOrder = (id, rating) => act(id, 'rate', rating)
const cancelOrder = (id, reason) => act(id, 'cancel', { reason })
const closeOrder = id => act(id, 'close')
const reopenOrder = (id, reason) => act(id, 'reopen', { reason })
const reviewOrder = (id, note) => act(id, 'review', { note })

module.exports = {
  ROUTES,
  listOrders,
  getOrder,
  possibleDuplicates,
  duplicateMarks,
  createOrder,
  act,
  dispatchOrder,
  acceptOrder,
  declineOrder,
  startOrder,
  completeOrder,
  rateOrder,
  cancelOrder,
  closeOrder,
  reopenOrder,
  reviewOrder,
}
