// The signed-in user's state, kept in wx storage so it survives restarts.

const KEYS = {
  token: 'session.token',
  expiresAt: 'session.expiresAt',
  user: 'session.user',
  role: 'session.activeRole',
  care: 'settings.careMode',
  careOffered: 'settings.careOffered',
}

// WeChat's font size setting (微信 › 设置 › 通用 › 字体大小): 17 is the standard size; above it is large.
const LARGE_FONT_SETTING = 20

// Renew a little before the server would refuse the token.
const EXPIRY_MARGIN_MS = 60 * 1000

const STAFF_ROLES = ['staff', 'admin', 'grid_worker']

function getToken() {
  const token = wx.getStorageSync(KEYS.token)
  if (!token) return ''
  const expiresAt = wx.getStorageSync(KEYS.expiresAt)
  if (expiresAt && Date.now() > expiresAt - EXPIRY_MARGIN_MS) return ''
  return token
}

function setToken(token, expiresIn) {
  wx.setStorageSync(KEYS.token, token)
  wx.setStorageSync(KEYS.expiresAt, expiresIn ? Date.now() + expiresIn * 1000 : 0)
}

function clearToken() {
  wx.removeStorageSync(KEYS.token)
  wx.removeStorageSync(KEYS.expiresAt)
}

function getUser() {
  return wx.getStorageSync(KEYS.user) || null
}

function setUser(user) {
  wx.setStorageSync(KEYS.user, user || null)
  // Keep the chosen role valid for the new profile.
  const role = wx.getStorageSync(KEYS.role)
  if (role && availableRoles(user).indexOf(role) < 0) wx.removeStorageSync(KEYS.role)
}

function clear() {
  clearToken()
  wx.removeStorageSync(KEYS.user)
  wx.removeStorageSync(KEYS.role)
}

// The roles a person can switch between: everyone is a resident; team members are
// volunteers; grants give staff, grid_worker and admin.
function availableRoles(user) {
  const roles = ['resident']
  if (!user) return roles
  if (user.teams && user.teams.length) roles.push('volunteer')
  const granted = (user.roles || []).map(grant => grant.role)
  STAFF_ROLES.forEach(role => {
    if (granted.indexOf(role) >= 0) roles.push(role)
  })
  return roles
}

// Staff-like roles default first: they use the mini-program for work.
function defaultRole(user) {
  const roles = availableRoles(user)
  for (const role of ['staff', 'admin', 'grid_worker', 'volunteer']) {
    if (roles.indexOf(role) >= 0) return role
  }
  return 'resident'
}

function getActiveRole() {
  const user = getUser()
  const role = wx.getStorageSync(KEYS.role)
  if (role && availableRoles(user).indexOf(role) >= 0) return role
  return defaultRole(user)
}

function setActiveRole(role) {
  wx.setStorageSync(KEYS.role, role)
}

function isStaffRole(role) {
  return STAFF_ROLES.indexOf(role) >= 0
}

// Areas where the user holds a staff-like role, for pickers on staff pages.
function staffAreas(user) {
  const seen = {}
  return ((user && user.roles) || [])
    .filter(grant => isStaffRole(grant.role))
    .filter(grant => {
      if (seen[grant.area_id]) return false
      seen[grant.area_id] = true
      return true
    })
    .map(grant => ({ id: grant.area_id, name: grant.area_name || '区域 ' + grant.area_id }))
}

/** 关怀模式: the user's own choice; until they make one, on when WeChat's font size is set large. */
function isCareMode() {
  const chosen = wx.getStorageSync(KEYS.care)
  if (chosen === true || chosen === false) return chosen
  return largeFontSetting()
}

function largeFontSetting() {
  try {
    const info = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo() : null
    return !!(info && Number(info.fontSizeSetting) >= LARGE_FONT_SETTING)
  } catch (error) {
    return false
  }
}

function setCareMode(on) {
  wx.setStorageSync(KEYS.care, !!on)
}

/** Whether 首页 has offered 关怀模式 once already (its first launch). */
function careOffered() {
  return !!wx.getStorageSync(KEYS.careOffered)
}

function setCareOffered() {
  wx.setStorageSync(KEYS.careOffered, true)
}

module.exports = {
  KEYS,
  getToken,
  setToken,
  clearToken,
  getUser,
  setUser,
  clear,
  availableRoles,
  defaultRole,
  getActiveRole,
  setActiveRole,
  isStaffRole,
  staffAreas,
  isCareMode,
  setCareMode,
  careOffered,
  setCareOffered,
}
