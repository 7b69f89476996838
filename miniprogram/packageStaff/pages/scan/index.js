// 扫码登录: scan the QR code on the staff console's login page and approve it.
const careBehavior = require('../../../behaviors/care')
const consoleService = require('../../../services/console')
const { toast } = require('../../../utils/request')
const { confirm } = require('../../../utils/dialog')
const { explainFailure } = require('../../../utils/permission')

function ask(content) {
  return confirm(content, { title: '登录社区工作台', confirmText: '确认登录', cancelText: '取消' })
}

Component({
  behaviors: [careBehavior],
  data: {
    status: 'idle', // idle | approved | failed
    message: '',
  },
  methods: {
    onLoad(query) {
      // Opened from a QR code that points at this page: ?ticket=… or ?q=<the scanned URL>.
      const content = (query && (query.ticket || (query.q && decodeURIComponent(query.q)))) || ''
      if (content) return this.approve(content)
      return Promise.resolve()
    },

    onScan() {
      return new Promise(resolve => {
        wx.scanCode({
          onlyFromCamera: true,
          scanType: ['qrCode'],
          success: res => resolve(this.approve(res.result)),
          // A cancel says nothing; a refused camera says how to allow it.
          fail: res => explainFailure('camera', res).then(() => resolve()),
        })
      })
    },

    approve(content) {
      const ticket = consoleService.parseTicket(content)
      if (!ticket) {
        this.setData({ status: 'failed', message: '这不是社区工作台的登录二维码' })
        toast('这不是社区工作台的登录二维码')
        return Promise.resolve(null)
      }
      return ask('确认在电脑上登录社区工作台吗？请确认是您本人在操作。').then(ok => {
        if (!ok) return null
        return consoleService.approveTicket(ticket).then(
          result => {
            this.setData({ status: 'approved', message: '' })
            wx.showToast({ title: '已确认登录', icon: 'success' })
            return result
          },
          err => {
            this.setData({ status: 'failed', message: (err && err.message) || '登录确认失败' })
            return null
          },
        )
      })
    },
  },
})
