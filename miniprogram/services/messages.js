// 消息中心: in-app messages and the unread badge on the tab bar.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/me/messages' },
  read: { method: 'POST', path: '/me/messages/{id}/read' },
  readAll: { method: 'POST', path: '/me/messages/read-all' },
}

const MESSAGE_TAB_INDEX = 3

function listMessages(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

function markRead(id) {
  return call(ROUTES.read, { params: { id }, showError: false })
}

function markAllRead() {
  return call(ROUTES.readAll, { loading: '正在处理…' })
}

function isUnread(message) {
  if (!message) return false
  if (typeof message.read === 'boolean') return !message.read
  if (typeof message.is_read === 'boolean') return !message.is_read
  return !message.read_at
}

/** How many are unread: the page's `unread`, else counted on the page itself. */
function unreadOf(page) {
  if (page && typeof page.unread === 'number') return page.unread
  if (page && typeof page.unread_count === 'number') return page.unread_count
  return ((page && page.items) || []).filter(isUnread).length
}

function unreadCount() {
  return listMessages({ unread: true, limit: 50 }, { showError: false }).then(unreadOf)
}

function setBadge(count) {
  try {
    if (count > 0) wx.setTabBarBadge({ index: MESSAGE_TAB_INDEX, text: count > 99 ? '99+' : String(count) })
    else wx.removeTabBarBadge({ index: MESSAGE_TAB_INDEX })
  } catch (err) {
    // Not on a tab page: nothing to draw.
  }
}

/** Refresh the tab bar's unread badge; never fails loudly. */
function refreshBadge() {
  return unreadCount().then(
    count => {
      setBadge(count)
      return count
    },
    () => 0,
  )
}

module.exports = { ROUTES, MESSAGE_TAB_INDEX, listMessages, markRead, markAllRead, isUnread, unreadOf, unreadCount, setBadge, refreshBadge }
