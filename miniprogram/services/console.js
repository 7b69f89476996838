// 扫码登录: approving the staff web console's login ticket from the phone.
const { call } = require('../utils/request')

const ROUTES = {
  ticketInfo: { method: 'GET', path: '/auth/console-tickets/{ticket}/info' },
  approveTicket: { method: 'POST', path: '/auth/console-tickets/{ticket}/approve' },
}

const TICKET_PATTERN = /^[A-Za-z0-9_-]{6,128}$/

/**
 * The QR code holds the ticket itself, or a URL that ends with it
 * (…/console/login/<ticket>, or …?ticket=<ticket>). Returns '' when nothing fits.
 */
function parseTicket(content) {
  let text = String(content || '').trim()
  if (!text) return ''
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.indexOf('/') >= 0 || text.indexOf('?') >= 0) {
    const queryMatch = text.match(/[?&#]ticket=([^&#]+)/)
    if (queryMatch) {
      text = decodeURIComponent(queryMatch[1])
    } else {
      const path = text.split('#')[0].split('?')[0].replace(/\/+$/, '')
      text = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
    }
  }
  return TICKET_PATTERN.test(text) ? text : ''
}

/** {created_at, ip, browser}: which computer asks to log in, shown before approving. */
function ticketInfo(ticket) {
  return call(ROUTES.ticketInfo, { params: { ticket }, loading: '正在读取…' })
}

function approveTicket(ticket) {
  return call(ROUTES.approveTicket, { params: { ticket }, loading: '正在确认…' })
}

module.exports = { ROUTES, parseTicket, ticketInfo, approveTicket }
