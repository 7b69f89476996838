// 请确认 dialogs: one wording and one promise for every page that asks before it acts.

/** Resolves true when the user taps 确定, false on 再想想 or if the dialog fails. */
function confirm(content) {
  return new Promise(resolve => {
    wx.showModal({
      title: '请确认',
      content,
      confirmText: '确定',
      cancelText: '再想想',
      success: res => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}

module.exports = { confirm }
