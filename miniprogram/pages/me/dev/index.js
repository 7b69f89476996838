// 开发者设置 (develop only): log in as a seed-demo account and point at another API host.
const config = require('../../../config/index')
const session = require('../../../utils/session')
const auth = require('../../../services/auth')
const nav = require('../../../utils/nav')

Component({
  data: {
    develop: false,
    accounts: config.DEMO_ACCOUNTS,
    current: '',
    host: '',
    effectiveBase: '',
  },
  methods: {
    // Outside develop this page is closed: it leaves for 首页 at once and its actions do nothing,
    // so a 体验版 or 正式版 can never switch to a demo account or another API host from here.
    onLoad() {
      this.refresh()
      if (!config.isDevelop()) wx.reLaunch({ url: nav.PAGES.home })
    },

    refresh() {
      this.setData({
        develop: config.isDevelop(),
        current: wx.getStorageSync(config.STORAGE_KEYS.devOpenid) || config.devOpenid() || 'wechat',
        host: wx.getStorageSync(config.STORAGE_KEYS.apiHost) || '',
        effectiveBase: config.baseUrl(),
      })
    },

    onPick(e) {
      if (!config.isDevelop()) return Promise.resolve()
      const openid = e.currentTarget.dataset.openid
      wx.setStorageSync(config.STORAGE_KEYS.devOpenid, openid)
      return this.relogin()
    },

    relogin() {
      session.clear()
      return auth.login().then(
        user => {
          this.refresh()
          wx.showToast({ title: '已登录：' + (user.real_name || user.nickname || user.id), icon: 'none' })
          setTimeout(() => wx.reLaunch({ url: nav.PAGES.workbench }), 600)
        },
        err => {
          this.refresh()
          wx.showToast({ title: (err && err.message) || '登录失败', icon: 'none' })
        },
      )
    },

    onHostInput(e) {
      this.setData({ host: e.detail.value })
    },

    onSaveHost() {
      if (!config.isDevelop()) return Promise.resolve()
      const host = this.data.host.trim()
      if (host && !/^https?:\/\/[^\s/]+/.test(host)) {
        wx.showToast({ title: '请填写 http(s):// 开头的地址', icon: 'none' })
        return Promise.resolve()
      }
      if (host) wx.setStorageSync(config.STORAGE_KEYS.apiHost, host)
      else wx.removeStorageSync(config.STORAGE_KEYS.apiHost)
      return this.relogin()
    },
  },
})
