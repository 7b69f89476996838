// Logging in: 扫码登录 (the mini-program approves a QR ticket this page polls) and, in dev mode, a form for
// the demo accounts. All of it lives here, so a change to the ticket protocol is a change to this file.
import { api, keepToken } from './api.js'
import { byId, toast } from './dom.js'

const POLL_MS = 2000

let ticket = null
let pollSecret = null // only this page knows it: the QR code shows the ticket alone
let pollTimer = null
let signedIn = () => {}

function stopPolling() {
  clearTimeout(pollTimer)
  pollTimer = null
}

function showQrMask(text) {
  byId('qr-mask-text').textContent = text
  byId('qr-mask').hidden = false
}

function showLoginError(message) {
  const error = byId('login-error')
  error.hidden = false
  error.textContent = message
}

function finish(accessToken) {
  stopPolling()
  keepToken(accessToken)
  signedIn()
}

async function newTicket() {
  stopPolling()
  byId('qr-mask').hidden = true
  byId('qr-status').textContent = '正在生成二维码…'
  try {
    const created = await api('POST', '/auth/console-tickets', {}, { noLogout: true })
    ticket = created.ticket
    pollSecret = created.poll_secret
    const img = byId('qr-image')
    img.src = '/console/qr/' + encodeURIComponent(ticket) + '.svg'
    img.dataset.ticket = ticket
    byId('qr-status').textContent = '请用小程序扫码，并在手机上确认登录'
    pollTimer = setTimeout(poll, POLL_MS)
  } catch (err) {
    byId('qr-status').textContent = ''
    showQrMask(err.message || '二维码生成失败')
  }
}

async function poll() {
  const polled = ticket
  if (!polled || byId('login-view').hidden) return
  let result
  try {
    result = await api('GET', '/auth/console-tickets/' + encodeURIComponent(polled), undefined,
      { noLogout: true, headers: { 'X-Ticket-Secret': pollSecret } })
  } catch (err) {
    if (err.status === 404) showQrMask('二维码已失效')
    else pollTimer = setTimeout(poll, POLL_MS * 2)
    return
  }
  if (polled !== ticket) return
  if (result.status === 'approved' && result.access_token) {
    byId('qr-status').textContent = '已确认，正在进入工作台…'
    finish(result.access_token)
  } else if (result.status === 'expired') {
    byId('qr-status').textContent = ''
    showQrMask('二维码已过期')
  } else if (result.status === 'consumed') {
    showQrMask('二维码已被使用')
  } else {
    pollTimer = setTimeout(poll, POLL_MS)
  }
}

async function devLogin(event) {
  event.preventDefault()
  const openid = byId('dev-account').value || byId('dev-openid').value.trim()
  if (!openid) {
    toast('请填写 openid', true)
    return
  }
  byId('dev-submit').disabled = true
  try {
    const result = await api('POST', '/auth/wechat-login', { code: 'dev:' + openid }, { noLogout: true })
    finish(result.access_token)
  } catch (err) {
    showLoginError(err.message)
  } finally {
    byId('dev-submit').disabled = false
  }
}

/** Wire the login screen; `onSignedIn` runs once a token is kept. */
export function initLogin(onSignedIn) {
  signedIn = onSignedIn
  byId('qr-refresh').addEventListener('click', newTicket)
  const form = byId('dev-login')
  if (document.body.dataset.devLogin === '1' && form) {
    form.addEventListener('submit', devLogin)
    byId('dev-account').addEventListener('change', event => {
      byId('dev-openid-label').hidden = event.target.value !== ''
    })
  }
}

/** Show the login screen with a fresh QR code, and a message if there is one. */
export function showLogin(message) {
  stopPolling()
  byId('login-view').hidden = false
  const error = byId('login-error')
  error.hidden = !message
  error.textContent = message || ''
  newTicket()
}

export function hideLogin() {
  stopPolling()
  byId('login-view').hidden = true
}
