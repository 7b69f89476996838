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

function bindPhone(code) {
  return call(ROUTES.bindPhone, { data: { code }, loading: '正在绑定…' }).then(remember)
}

module.exports = { ROUTES, getMe, currentUser, updateMe, bindPhone }
