// Page addresses in one place, so moving a page is one edit.

const PAGES = {
  home: '/pages/home/index/index',
  myOrders: '/pages/orders/list/index',
  workbench: '/pages/workbench/index/index',
  messages: '/pages/messages/index/index',
  me: '/pages/me/index/index',
  orderDetail: '/pages/orders/detail/index',
  profile: '/pages/me/profile/index',
  joinTeam: '/pages/me/join-team/index',
  privacy: '/pages/me/privacy/index',
  devSettings: '/pages/me/dev/index',
  offeringDetail: '/packageResident/pages/offering-detail/index',
  orderCreate: '/packageResident/pages/order-create/index',
  rate: '/packageResident/pages/rate/index',
  team: '/packageVolunteer/pages/team/index',
  tasks: '/packageVolunteer/pages/tasks/index',
  complete: '/packageVolunteer/pages/complete/index',
  points: '/packageVolunteer/pages/points/index',
  offeringCreate: '/packageVolunteer/pages/offering-create/index',
  calls: '/packageVolunteer/pages/calls/index',
  callDetail: '/packageVolunteer/pages/call-detail/index',
  serviceRecord: '/packageVolunteer/pages/service-record/index',
  rewards: '/packageVolunteer/pages/rewards/index',
  redemptions: '/packageVolunteer/pages/redemptions/index',
  dispatchQueue: '/packageStaff/pages/dispatch-queue/index',
  dispatch: '/packageStaff/pages/dispatch/index',
  offeringReview: '/packageStaff/pages/offering-review/index',
  ratingReview: '/packageStaff/pages/rating-review/index',
  stats: '/packageStaff/pages/stats/index',
  scan: '/packageStaff/pages/scan/index',
  callCreate: '/packageStaff/pages/call-create/index',
  carePlans: '/packageStaff/pages/care-plans/index',
  carePlan: '/packageStaff/pages/care-plan/index',
  carePlanCreate: '/packageStaff/pages/care-plan-create/index',
  fulfil: '/packageStaff/pages/fulfil/index',
}

const TAB_PAGES = ['home', 'myOrders', 'workbench', 'messages', 'me']

function url(name, query) {
  const base = PAGES[name]
  if (!base) throw new Error('Unknown page: ' + name)
  const parts = Object.keys(query || {})
    .filter(key => query[key] !== undefined && query[key] !== null && query[key] !== '')
    .map(key => key + '=' + encodeURIComponent(query[key]))
  return parts.length ? base + '?' + parts.join('&') : base
}

/**
 * The page a message points at: its `page` (e.g. "pages/orders/detail/index?id=5") when it is
 * one of ours, else the order it is about. '' when there is nowhere to go.
 */
function pageFromMessage(message) {
  const known = Object.keys(PAGES).filter(name => TAB_PAGES.indexOf(name) < 0).map(name => PAGES[name])
  if (message && message.page) {
    const target = message.page.charAt(0) === '/' ? message.page : '/' + message.page
    if (known.indexOf(target.split('?')[0]) >= 0) return target
  }
  if (message && message.order_id) return url('orderDetail', { id: message.order_id })
  if (message && message.call_id) return url('callDetail', { id: message.call_id })
  return ''
}

function go(name, query) {
  if (TAB_PAGES.indexOf(name) >= 0) return wx.switchTab({ url: PAGES[name] })
  return wx.navigateTo({ url: url(name, query) })
}

function redirect(name, query) {
  return wx.redirectTo({ url: url(name, query) })
}

function back(fallback) {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
  if (pages.length > 1) return wx.navigateBack()
  return go(fallback || 'home')
}

module.exports = { PAGES, TAB_PAGES, url, go, redirect, back, pageFromMessage }
