// 吹哨: staff call volunteers to a task; volunteers sign up and check in.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/calls' },
  create: { method: 'POST', path: '/calls' },
  get: { method: 'GET', path: '/calls/{id}' },
  signup: { method: 'POST', path: '/calls/{id}/signup' },
  withdraw: { method: 'POST', path: '/calls/{id}/withdraw' },
  checkin: { method: 'POST', path: '/calls/{id}/checkin' },
  close: { method: 'POST', path: '/calls/{id}/close' },
  confirm: { method: 'POST', path: '/calls/{id}/signups/{user_id}/confirm' },
}

const ACTION_LOADING = {
  signup: '正在报名…',
  withdraw: '正在取消报名…',
  checkin: '正在签到…',
  close: '正在结束…',
}

/** listCalls({ area_id, mine, status, kind, limit, cursor }) → { items, next_cursor } */
function listCalls(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

function getCall(id, options) {
  return call(ROUTES.get, Object.assign({ params: { id } }, options))
}

/** createCall({ area_id, title, description, starts_at, place, quota, target? }) — staff. */
function createCall(data) {
  return call(ROUTES.create, { data, loading: '正在发布…' })
}

function actOnCall(id, action) {
  const route = ROUTES[action]
  if (!ACTION_LOADING[action]) return Promise.reject(new Error('Unknown call action: ' + action))
  return call(route, { params: { id }, loading: ACTION_LOADING[action] })
}

/** Staff confirm that a volunteer came (到场确认), which earns the call's points. */
function confirmSignup(id, userId) {
  return call(ROUTES.confirm, { params: { id, user_id: userId }, loading: '正在确认…' })
}

module.exports = { ROUTES, listCalls, getCall, createCall, actOnCall, confirmSignup }
