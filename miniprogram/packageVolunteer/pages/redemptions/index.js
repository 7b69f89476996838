// 兑换记录: my redemptions, each pending one with its 核销码 (digits and a barcode) to show at the counter;
// cancelling one while pending gives the points back.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const rewardsService = require('../../../services/rewards')
const { REDEMPTION_STATUS, REDEMPTION_ACTION } = require('../../../utils/labels')
const { code128c } = require('../../../utils/barcode')
const { formatTime } = require('../../../utils/format')
const { confirm } = require('../../../utils/dialog')

const TONES = { pending: 'warning', fulfilled: 'success', cancelled: 'muted' }

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    cancelText: REDEMPTION_ACTION.cancel,
  },
  methods: {
    onLoad() {
      return this.loadFirst()
    },

    fetchPage(cursor) {
      return rewardsService.myRedemptions({ limit: 20, cursor }, { showError: false })
    },

    decorate(redemption) {
      const pending = redemption.status === 'pending'
      return Object.assign({}, redemption, {
        pending,
        statusText: REDEMPTION_STATUS[redemption.status] || '',
        tone: TONES[redemption.status] || 'muted',
        codeText: pending && redemption.code ? redemption.code.slice(0, 4) + ' ' + redemption.code.slice(4) : '',
        bars: pending && redemption.code ? code128c(redemption.code).map((bar, i) => Object.assign({ i }, bar)) : [],
        timeText: formatTime(redemption.created_at),
        doneText: redemption.fulfilled_at ? '领取于 ' + formatTime(redemption.fulfilled_at)
          : redemption.cancelled_at ? '取消于 ' + formatTime(redemption.cancelled_at) : '',
        cancellable: (redemption.allowed_actions || []).indexOf('cancel') >= 0,
      })
    },

    onCancel(e) {
      const redemption = this.data.items.find(item => item.id === Number(e.currentTarget.dataset.id))
      if (!redemption) return Promise.resolve()
      const question = '取消兑换「' + redemption.reward_name + '」？' + redemption.points + ' 积分将退回。'
      return confirm(question, { title: REDEMPTION_ACTION.cancel, confirmText: REDEMPTION_ACTION.cancel, cancelText: '不取消' })
        .then(ok => {
          if (!ok) return null
          return rewardsService.cancel(redemption.id).then(
            updated => {
              this.replaceItem(updated)
              wx.showToast({ title: '已取消，积分已退回', icon: 'success' })
              return updated
            },
            () => this.loadFirst({ quiet: true }),
          )
        })
    },
  },
})
