// 用户隐私保护指引: WeChat calls wx.onNeedPrivacyAuthorization when a privacy API (phone number,
// photos, clipboard) is used before the user agreed; we then show our own pop-up
// (components/privacy-popup) and answer WeChat with the user's choice.
const log = require('./log')

const listeners = []
let pending = null // WeChat's resolve function while our pop-up is open

/** A privacy-popup component registers here while it is on screen; the newest one shows. */
function subscribe(listener) {
  listeners.push(listener)
  if (pending) listener(true)
  return () => {
    const index = listeners.indexOf(listener)
    if (index >= 0) listeners.splice(index, 1)
  }
}

function onNeed(resolve, eventInfo) {
  pending = resolve
  const listener = listeners[listeners.length - 1]
  if (listener) {
    listener(true, eventInfo)
    return
  }
  // No pop-up on this page: say what is needed instead of failing silently.
  log.warn('privacy: no pop-up on this page', eventInfo)
  wx.showModal({
    title: '需要您同意隐私保护指引',
    content: '这项功能要用到您的个人信息。请点「查看指引」阅读《社区五单隐私保护指引》，同意后再试。',
    confirmText: '查看指引',
    cancelText: '不同意',
    success: res => {
      if (res.confirm && wx.openPrivacyContract) wx.openPrivacyContract({ fail: err => log.warn('openPrivacyContract', err) })
      if (!res.confirm) answer('disagree')
    },
    fail: err => log.warn('showModal', err),
  })
}

/** Tell WeChat the user's choice; `buttonId` is the id of the agreePrivacyAuthorization button. */
function answer(event, buttonId) {
  const resolve = pending
  pending = null
  listeners.forEach(listener => listener(false))
  if (!resolve) return
  try {
    resolve(event === 'agree' ? { event, buttonId } : { event })
  } catch (err) {
    log.error('privacy answer', err)
  }
}

/** Register once at launch (app.js); older WeChat versions without the API need nothing. */
function install() {
  if (!wx.onNeedPrivacyAuthorization) return false
  wx.onNeedPrivacyAuthorization(onNeed)
  return true
}

/** The guide's name from WeChat (e.g. 《社区五单小程序隐私保护指引》), or our default. */
function contractName() {
  return new Promise(resolve => {
    if (!wx.getPrivacySetting) return resolve('《社区五单隐私保护指引》')
    wx.getPrivacySetting({
      success: res => resolve(res.privacyContractName || '《社区五单隐私保护指引》'),
      fail: err => {
        log.warn('getPrivacySetting', err)
        resolve('《社区五单隐私保护指引》')
      },
    })
  })
}

function openContract() {
  if (!wx.openPrivacyContract) return
  wx.openPrivacyContract({
    fail: err => {
      log.warn('openPrivacyContract', err)
      wx.showToast({ title: '暂时打不开隐私保护指引，请稍后再试', icon: 'none', duration: 2500 })
    },
  })
}

module.exports = { install, subscribe, answer, contractName, openContract, _onNeed: onNeed }
