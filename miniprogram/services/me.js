// My profile, phone binding.
const session = require('../utils/session')
const { call } = require('../utils/request')

const ROUTES = {
  get: { method: 'GET', path: '/me' },
  update: { method: 'PATCH', path: '/me' },
  bindPhone: { method: 'POST', path: '/me/phone' },
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

module.exports = { ROUTES, getMe, currentUser, updateMe, bindPhone }
