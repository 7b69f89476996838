// Our own privacy pop-up: shown when WeChat reports (wx.onNeedPrivacyAuthorization) that a privacy API
// was used before the user agreed to the 用户隐私保护指引. Put it on every page that binds the phone,
// picks photos or uses the clipboard.
const privacy = require('../../utils/privacy')

Component({
  options: { styleIsolation: 'apply-shared' },
  data: {
    show: false,
    contractName: '《社区五单隐私保护指引》',
  },
  lifetimes: {
    attached() {
      this._unsubscribe = privacy.subscribe(show => {
        if (show) {
          privacy.contractName().then(contractName => this.setData({ contractName }))
        }
        this.setData({ show })
      })
    },
    detached() {
      if (this._unsubscribe) this._unsubscribe()
    },
  },
  methods: {
    onAgree() {
      privacy.answer('agree', 'agree-privacy')
      this.triggerEvent('agree')
    },

    onDisagree() {
      privacy.answer('disagree')
      wx.showToast({ title: '您没有同意，这项功能暂时不能用', icon: 'none', duration: 2500 })
      this.triggerEvent('disagree')
    },

    onOpenContract() {
      privacy.openContract()
    },

    noop() {},
  },
})
