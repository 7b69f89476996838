// Login: wx.login code (or a dev:<openid> code in develop) exchanged for an API token.
const config = require('../config/index')
const session = require('../utils/session')
const { call, ApiError } = require('../utils/request')

const ROUTES = {
  wechatLogin: { method: 'POST', path: '/auth/wechat-login' },
  logout: { method: 'POST', path: '/auth/logout' },
}

function loginCode() {
  const openid = config.devOpenid()
  if (openid) return Promise.resolve('dev:' + openid)
  return new Promise((resolve, reject) => {
    wx.login({
      success: res => (res.code ? resolve(res.code) : reject(new ApiError({ code: 'login_failed', message: '微信登录失败，请稍后再试' }))),
      fail: () => reject(new ApiError({ code: 'login_failed', message: '微信登录失败，请检查网络后再试' })),
    })
  })
}

/** Log in silently; stores the token and the profile. Resolves with the user. */
function login() {
  return loginCode()
    .then(code => call(ROUTES.wechatLogin, { data: { code }, auth: false, showError: false }))
    .then(res => {
      session.setToken(res.access_token, res.expires_in)
      session.setUser(res.user)
      return res.user
    })
}

/** Sign out of every device, then forget the local session. */
function logout() {
  return call(ROUTES.logout, { loading: '正在退出…' }).then(() => session.clear())
}

module.exports = { ROUTES, login, logout, loginCode }
