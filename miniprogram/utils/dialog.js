// 请确认 dialogs: one promise for every page that asks before it acts; key results (提交成功 …).
const session = require('./session')
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

/**
 * A key result. Normally a 1.5-second toast; in 关怀模式 a dialog that stays until 知道了 is tapped,
 * so nobody misses it. Returns a promise that resolves when the dialog is dismissed, or null for a toast.
 */
function done(title, detail) {
  if (!session.isCareMode()) {
    wx.showToast({ title, icon: 'success' })
    return null
  }
  return new Promise(resolve => {
    wx.showModal({
      title,
      content: detail || '',
      showCancel: false,
      confirmText: '知道了',
      complete: () => resolve(),
    })
  })
}

module.exports = { confirm, done }
