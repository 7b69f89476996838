// 核销: staff scan the barcode on a volunteer's 兑换记录 (or type its 8 digits), see what it is for, and hand
// the reward over.
const careBehavior = require('../../../behaviors/care')
const rewardsService = require('../../../services/rewards')
const { REDEMPTION_STATUS, REDEMPTION_ACTION } = require('../../../utils/labels')
const { formatTime } = require('../../../utils/format')
const { toast } = require('../../../utils/request')
const { explainFailure, failureKind } = require('../../../utils/permission')
const log = require('../../../utils/log')

/** The 8 digits in what was typed or scanned ('1234 5678', a barcode's text), or ''. */
function codeOf(text) {
  const digits = String(text || '').replace(/\D/g, '')
  return digits.length === 8 ? digits : ''
}

Component({
  behaviors: [careBehavior],
  data: {
    code: '',
    searching: false,
    redemption: null, // the one the code belongs to
    notFound: false,
    done: '',
    fulfilText: REDEMPTION_ACTION.fulfil,
  },
  methods: {
    onLoad(query) {
      const code = codeOf(query && query.code)
      if (code) {
        this.setData({ code })
        return this.find()
      }
      return Promise.resolve()
    },

    onInput(e) {
      this.setData({ code: e.detail.value, notFound: false })
    },

    onScan() {
      return new Promise(resolve => {
        wx.scanCode({
          onlyFromCamera: true,
          scanType: ['barCode', 'qrCode'],
          success: res => {
            const code = codeOf(res.result)
            if (!code) {
              toast('这不是积分超市的核销码')
              resolve(null)
              return
            }
            this.setData({ code })
            resolve(this.find())
          },
          fail: res => {
            const kind = failureKind(res)
            // A refused camera says how to allow it; any other failure leaves typing the code.
            if (kind === 'denied' || kind === 'privacy' || kind === 'undeclared') return explainFailure('camera', res).then(() => resolve(null))
            if (kind !== 'cancel') {
              log.warn('fulfil scan', res)
              toast('没有扫到核销码，可以直接输入 8 位数字')
            }
            resolve(null)
          },
        })
      })
    },

    find() {
      const code = codeOf(this.data.code)
      if (!code) {
        toast('核销码应为 8 位数字')
        return Promise.resolve(null)
      }
      this.setData({ searching: true, redemption: null, notFound: false, done: '' })
      return rewardsService.findByCode(code).then(
        page => {
          const found = (page.items || [])[0]
          this.setData({ searching: false, redemption: found ? this.decorate(found) : null, notFound: !found })
          return found || null
        },
        () => {
          this.setData({ searching: false })
          return null
        },
      )
    },

    decorate(redemption) {
      return Object.assign({}, redemption, {
        statusText: REDEMPTION_STATUS[redemption.status] || '',
        pending: redemption.status === 'pending',
        timeText: formatTime(redemption.created_at),
        fulfillable: (redemption.allowed_actions || []).indexOf('fulfil') >= 0,
      })
    },

    onFulfil() {
      const redemption = this.data.redemption
      if (!redemption) return Promise.resolve(null)
      return rewardsService.fulfil(redemption.id, codeOf(this.data.code)).then(
        updated => {
          this.setData({
            redemption: this.decorate(updated),
            done: '已' + REDEMPTION_ACTION.fulfil + '：请把「' + updated.reward_name + '」交给' + (updated.user_name || '兑换人'),
            code: '',
          })
          wx.vibrateShort && wx.vibrateShort({ type: 'medium' })
          return updated
        },
        () => this.find(),
      )
    },
  },
})
