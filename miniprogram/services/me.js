// My profile, phone binding, my data (个人信息副本) and 注销.
const session = require('../utils/session')
const { call } = require('../utils/request')

const ROUTES = {
  get: { method: 'GET', path: '/me' },
  update: { method: 'PATCH', path: '/me' },
  bindPhone: { method: 'POST', path: '/me/phone' },
  exportData: { method: 'GET', path: '/me/export' },
  remove: { method: 'DELETE', path: '/me' },
}

function remember(user) {
  session.setUser(user)
  return user
}

function getMe(options) {
  return call(ROUTES.get, options).then(remember)
}

/** The signed-in user: from the session when known, else GET /me. */
function currentUser(options) {
  const user = session.getUser()
  if (user && !(options && options.refresh)) return Promise.resolve(user)
  return getMe({ showError: false })
}

/** Only nickname, avatar_url, real_name, home_area_id, is_party_member, work_unit. */
function updateMe(changes) {
  return call(ROUTES.update, { data: changes, loading: '正在保存…' }).then(remember)
}

/**
 * WeChat's phone-number code works once: a refused bind (401 session, 422 spent code) is never
 * re-sent after a silent login, and the page asks for a new tap instead.
 */
function bindPhone(code, options) {
  const opts = Object.assign({ data: { code }, loading: '正在绑定…', retryOn401: false }, options)
  return call(ROUTES.bindPhone, opts).then(remember)
}

/** Everything the service holds about me: { profile, orders, ratings, points, messages, signups, redemptions, exported_at }. */
function exportData() {
  return call(ROUTES.exportData, { loading: '正在导出…' })
}

/** 注销: erases my personal data; the session is cleared once the server has done it. */
function removeAccount() {
  return call(ROUTES.remove, { loading: '正在注销…' }).then(() => session.clear())
}

module.exports = { ROUTES, getMe, currentUser, updateMe, bindPhone, exportData, removeAccount }
