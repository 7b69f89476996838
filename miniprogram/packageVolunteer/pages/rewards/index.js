// 积分超市: the rewards of my community, my balance, and redeeming one (points debited at once; the code
// to show at the counter is on 兑换记录).
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const rewardsService = require('../../../services/rewards')
const { confirm } = require('../../../utils/dialog')
const nav = require('../../../utils/nav')

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    balance: 0,
    redeeming: false,
  },
  methods: {
    onLoad() {
      return this.loadFirst()
    },

    onShow() {
      // Back from 兑换记录 after a cancellation: the balance and stock may have changed.
      if (this._shown && this.data.listState === 'ready') this.loadFirst({ quiet: true })
      this._shown = true
    },

    fetchPage(cursor) {
      // On sale only: staff, who also see those taken off the shelf, use this page as anyone else does.
      return rewardsService.listRewards({ limit: 20, active: true, cursor }, { showError: false }).then(page => {
        if (page.balance !== undefined) this.setData({ balance: page.balance })
        return page
      })
    },

    decorate(reward) {
      const soldOut = reward.stock <= 0
      const short = !soldOut && reward.points > this.data.balance
      return Object.assign({}, reward, {
        soldOut,
        short,
        stockText: soldOut ? '' : '剩 ' + reward.stock + ' 件',
        buttonText: soldOut ? '已兑完' : short ? '积分不足' : '兑换',
      })
    },

    onRedeem(e) {
      const reward = this.data.items.find(item => item.id === Number(e.currentTarget.dataset.id))
      if (!reward || reward.soldOut || reward.short || this.data.redeeming) return Promise.resolve()
      const question = '用 ' + reward.points + ' 积分兑换「' + reward.name + '」？兑换后积分立即扣除，领取前可以取消。'
      return confirm(question, { title: '确认兑换', confirmText: '兑换' }).then(ok => {
        if (!ok) return null
        this.setData({ redeeming: true })
        return rewardsService.redeem(reward.id).then(
          redemption => {
            const balance = this.data.balance - redemption.points
            this.setData({ redeeming: false, balance })
            this.replaceItem(Object.assign({}, reward, { stock: reward.stock - 1 }))
            this.setData({ items: this.data.items.map(item => this.decorate(item)) })
            return confirm('核销码 ' + redemption.code + '，请到' + (redemption.area_name || '社区') + '领取时出示。', {
              title: '兑换成功',
              confirmText: '查看兑换记录',
              cancelText: '继续逛逛',
            }).then(go => {
              if (go) nav.go('redemptions')
              return redemption
            })
          },
          () => {
            this.setData({ redeeming: false })
            return this.loadFirst({ quiet: true })
          },
        )
      })
    },

    onRedemptions() {
      nav.go('redemptions')
    },
  },
})
