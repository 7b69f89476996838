// 请确认 dialogs: one promise for every page that asks before it acts.
const log = require('./log')

/** Resolves true when the user taps the confirm button, false on cancel or if the dialog fails.
 * options: { title = '请确认', confirmText = '确定', cancelText = '再想想' } */
function confirm(content, options) {
  const o = Object.assign({ title: '请确认', confirmText: '确定', cancelText: '再想想' }, options)
  return new Promise(resolve => {
    wx.showModal({
      title: o.title,
      content,
      confirmText: o.confirmText,
      cancelText: o.cancelText,
      success: res => resolve(!!res.confirm),
      fail: err => {
        log.warn('showModal', err)
        resolve(false)
      },
    })
  })
}

module.exports = { confirm }
