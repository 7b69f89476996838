// 订阅消息: WeChat sends a subscribe message only to a user who agreed to it just before, from a tap.
const config = require('../config/index')
const log = require('./log')
const { explainFailure } = require('./permission')

/** Ask for the templates configured under SUBSCRIBE_TEMPLATE_IDS[kind]; resolves whatever the answer. */
function askSubscribe(kind) {
  const tmplIds = config.SUBSCRIBE_TEMPLATE_IDS[kind]
  if (!tmplIds || !tmplIds.length || !wx.requestSubscribeMessage) return Promise.resolve(false)
  return new Promise(resolve => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: res => {
        const accepted = tmplIds.filter(id => res && res[id] === 'accept')
        if (!accepted.length) {
          // Refused in WeChat's own dialog: the user chose, say where progress shows instead.
          wx.showToast({ title: '没有订阅提醒，进度可以在「消息」里看', icon: 'none', duration: 2500 })
        }
        resolve(accepted.length > 0)
      },
      fail: err => {
        // Switched off in 设置 (20004) or failed: the action goes ahead without messages; the user is told
        // how to switch them on again, without waiting for the answer.
        log.warn('requestSubscribeMessage ' + kind, err)
        explainFailure('subscribe', err)
        resolve(false)
      },
    })
  })
}

/** Is a prompt for this kind configured (so a page may show its 订阅 button)? */
function canSubscribe(kind) {
  const tmplIds = config.SUBSCRIBE_TEMPLATE_IDS[kind]
  return !!(tmplIds && tmplIds.length && typeof wx !== 'undefined' && wx.requestSubscribeMessage)
}

module.exports = { askSubscribe, canSubscribe }
