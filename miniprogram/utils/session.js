// The signed-in user's state, kept in wx storage so it survives restarts.

const KEYS = {
  token: 'session.token',
  expiresAt: 'session.expiresAt',
  user: 'session.user',
  role: 'session.activeRole',
  care: 'settings.careMode',
}

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

function isCareMode() {
  return !!wx.getStorageSync(KEYS.care)
}

function setCareMode(on) {
  wx.setStorageSync(KEYS.care, !!on)
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
}
