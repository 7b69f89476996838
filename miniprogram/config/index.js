// Where the API lives, chosen by the mini-program's envVersion.
//
// develop  - the DevTools / 开发版. In WeChat DevTools it talks to a local `make run`
//            (LOCAL_API_HOST) unless the 开发者设置 page stored another host
//            (e.g. the LAN address of your computer for 真机调试).
// trial    - 体验版, the staging server.
// release  - 正式版; also whenever the envVersion cannot be read or is unknown.
// The hosts and subscribe template ids are in config/deploy.js (checked by `npm run release-check`).

const API_PATH = '/api/v1'

const deploy = require('./deploy')

const API_HOSTS = deploy.API_HOSTS

// `make run` serves Flask here; DevTools needs 「不校验合法域名」 ticked to reach it.
const LOCAL_API_HOST = 'http://127.0.0.1:5000'

// Subscribe-message template ids, from config/deploy.js.
const SUBSCRIBE_TEMPLATE_IDS = deploy.SUBSCRIBE_TEMPLATE_IDS

// Demo accounts of `flask seed-demo`, offered on the 开发者设置 page in develop only.
const DEMO_ACCOUNTS = [
  { openid: 'demo-resident-sy-1', label: '居民 · 松阳社区 1' },
  { openid: 'demo-resident-sy-2', label: '居民 · 松阳社区 2' },
  { openid: 'demo-resident-qs-1', label: '居民 · 青山社区' },
  { openid: 'demo-volunteer-sy-1', label: '志愿者 · 松阳服务队 1' },
  { openid: 'demo-volunteer-sy-2', label: '志愿者 · 松阳服务队 2' },
  { openid: 'demo-leader-sy', label: '队长 · 松阳服务队' },
  { openid: 'demo-leader-qs', label: '队长 · 青山服务队' },
  { openid: 'demo-grid-sy', label: '网格员 · 松阳社区' },
  { openid: 'demo-staff-sy', label: '社区工作人员 · 松阳' },
  { openid: 'demo-staff-qs', label: '社区工作人员 · 青山' },
  { openid: 'demo-admin', label: '管理员 · 示范县' },
]

const STORAGE_KEYS = {
  apiHost: 'dev.apiHost',
  devOpenid: 'dev.openid',
}

const ENV_VERSIONS = ['develop', 'trial', 'release']

// Anything we cannot read or do not know is the release: never the dev login or a dev host by accident.
function envVersion() {
  try {
    const info = wx.getAccountInfoSync()
    const env = info && info.miniProgram && info.miniProgram.envVersion
    return ENV_VERSIONS.indexOf(env) >= 0 ? env : 'release'
  } catch (err) {
    return 'release'
  }
}

function isDevtools() {
  try {
    const info = wx.getDeviceInfo ? wx.getDeviceInfo() : wx.getSystemInfoSync()
    return info.platform === 'devtools'
  } catch (err) {
    return false
  }
}

function isDevelop() {
  return envVersion() === 'develop'
}

function stripSlash(host) {
  return String(host || '').replace(/\/+$/, '')
}

function apiHost() {
  const env = envVersion()
  if (env === 'develop') {
    const override = wx.getStorageSync(STORAGE_KEYS.apiHost)
    if (override) return stripSlash(override)
    if (isDevtools()) return LOCAL_API_HOST
  }
  return API_HOSTS[env] || API_HOSTS.release
}

function baseUrl() {
  return apiHost() + API_PATH
}

// In develop the backend's dev mode accepts `dev:<openid>` as a login code.
// Returns the openid to log in as, or '' to use a real wx.login code.
function devOpenid() {
  if (!isDevelop()) return ''
  const stored = wx.getStorageSync(STORAGE_KEYS.devOpenid)
  if (stored === 'wechat') return ''
  if (stored) return stored
  return isDevtools() ? DEMO_ACCOUNTS[0].openid : ''
}

module.exports = {
  API_PATH,
  API_HOSTS,
  LOCAL_API_HOST,
  SUBSCRIBE_TEMPLATE_IDS,
  DEMO_ACCOUNTS,
  STORAGE_KEYS,
  envVersion,
  isDevelop,
  isDevtools,
  apiHost,
  baseUrl,
  devOpenid,
}
