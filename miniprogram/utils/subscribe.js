// 订阅消息: WeChat sends a subscribe message only to a user who agreed to it just before, from a tap.
const config = require('../config/index')
const log = require('./log')

/** Ask for the templates configured under SUBSCRIBE_TEMPLATE_IDS[kind]; resolves whatever the answer. */
function askSubscribe(kind) {
  const tmplIds = config.SUBSCRIBE_TEMPLATE_IDS[kind]
  if (!tmplIds || !tmplIds.length || !wx.requestSubscribeMessage) return Promise.resolve(false)
  return new Promise(resolve => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: () => resolve(true),
      fail: err => {
        // Refused or switched off in 设置: the order goes ahead without messages; on record.
        log.warn('requestSubscribeMessage ' + kind, err)
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
