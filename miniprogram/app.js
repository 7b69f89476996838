// 社区五单: logs in silently at launch; pages keep their own state via utils/session.
const messages = require('./services/messages')
const session = require('./utils/session')
const { relogin } = require('./utils/request')
const privacy = require('./utils/privacy')
const log = require('./utils/log')

App({
  onLaunch() {
    // Our own pop-up (components/privacy-popup) answers WeChat's privacy check.
    privacy.install()
    this.checkForUpdate()
    // relogin() is shared with the request wrapper, so the first page's requests wait for it
    // instead of logging in a second time.
    const ready = session.getToken() ? Promise.resolve() : relogin()
    ready.then(() => messages.refreshBadge()).catch(err => {
      // Pages log in again on their first request and show the error there.
      log.warn('login at launch', err)
    })
  },

  // Script errors and rejected promises nobody handled: on record (console and 实时日志), never silent.
  onError(message) {
    log.error('App.onError', message)
  },

  onUnhandledRejection(res) {
    log.error('unhandled rejection', res && res.reason)
  },

  checkForUpdate() {
    if (!wx.getUpdateManager) return
    const manager = wx.getUpdateManager()
    manager.onUpdateReady(() => {
      wx.showModal({
        title: '有新版本',
        content: '新版本已经准备好，重新打开就能用上。现在重新打开吗？',
        confirmText: '重新打开',
        cancelText: '稍后',
        success: res => {
          if (res.confirm) manager.applyUpdate()
        },
      })
    })
  },
})
