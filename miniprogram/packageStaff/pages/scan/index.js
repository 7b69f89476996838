// 扫码登录: scan the QR code on the staff console's login page and approve it.
const careBehavior = require('../../../behaviors/care')
const consoleService = require('../../../services/console')
const { toast } = require('../../../utils/request')
const { confirm } = require('../../../utils/dialog')
const { explainFailure } = require('../../../utils/permission')
const { formatTime } = require('../../../utils/format')

function ask(content) {
  return confirm(content, { title: '登录社区工作台', confirmText: '确认登录', cancelText: '取消' })
}

/** What the phone shows about the computer asking to log in: its browser, address and when it asked. */
function describe(info) {
  return {
    browser: (info && info.browser) || '未知浏览器',
    ip: (info && info.ip) || '未知',
    time: formatTime(info && info.created_at),
  }
}

Component({
  behaviors: [careBehavior],
  data: {
    status: 'idle', // idle | approved | failed
    message: '',
    requester: null, // {browser, ip, time} of the computer asking to log in
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
      return consoleService.ticketInfo(ticket).then(
        info => {
          const requester = describe(info)
          this.setData({ requester })
          return ask(
            '电脑浏览器：' + requester.browser + '\nIP 地址：' + requester.ip + '\n时间：' + requester.time +
              '\n请确认是您本人正在这台电脑上登录。',
          ).then(ok => (ok ? this.confirmApproval(ticket) : null))
        },
        err => {
          this.setData({ status: 'failed', message: (err && err.message) || '二维码无效', requester: null })
          return null
        },
      )
    },

    confirmApproval(ticket) {
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
    },
  },
})
