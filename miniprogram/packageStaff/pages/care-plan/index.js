// 周期服务详情: a plan's schedule and resident, its filed visits (each an order) and pause / resume / end.
const careBehavior = require('../../../behaviors/care')
const carePlans = require('../../../services/care-plans')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const labels = require('../../../utils/labels')
const { confirm } = require('../../../utils/dialog')
const { toast } = require('../../../utils/request')

const QUESTIONS = {
  pause: '暂停后不再生成新的上门工单，已生成的不受影响。确定暂停吗？',
  end: '结束后不能再恢复，确定结束这项周期服务吗？',
}

function weekdayOf(iso) {
  const day = new Date(iso + 'T00:00:00Z').getUTCDay() || 7
  return labels.WEEKDAY[String(day)]
}

Component({
  behaviors: [careBehavior],
  data: { state: 'loading', error: '', plan: null, visits: [], actions: [], acting: false },
  methods: {
    onLoad(query) {
      this._id = query && query.id
      return this.load()
    },

    load() {
      if (!this._id) {
        this.setData({ state: 'error', error: '找不到这项周期服务' })
        return Promise.resolve()
      }
      this.setData({ state: 'loading' })
      return carePlans.getPlan(this._id, { showError: false }).then(
        plan => this.show(plan),
        err => this.setData({ state: 'error', error: err && err.status === 404 ? '找不到这项周期服务' : (err && err.message) || '加载失败' }),
      )
    },

    show(plan) {
      this.setData({
        state: 'ready',
        plan: Object.assign({}, plan, { statusLabel: labels.CARE_PLAN_STATUS[plan.status] || plan.status }),
        visits: (plan.visits || []).map(visit => Object.assign({}, visit, {
          weekday: weekdayOf(visit.visit_on),
          statusLabel: visit.status ? labels.ORDER_STATUS[visit.status] || visit.status : '未生成工单',
        })),
        actions: (plan.allowed_actions || []).map(action => ({ action, label: labels.CARE_PLAN_ACTION[action] })),
      })
    },

    onVisit(e) {
      const id = e.currentTarget.dataset.orderId
      if (id) nav.go('orderDetail', { id })
    },

    onAction(e) {
      const action = e.currentTarget.dataset.action
      if (this.data.acting) return Promise.resolve(null)
      const asked = QUESTIONS[action] ? confirm(QUESTIONS[action], { confirmText: labels.CARE_PLAN_ACTION[action] }) : Promise.resolve(true)
      return asked.then(yes => {
        if (!yes) return null
        this.setData({ acting: true })
        return carePlans.actOnPlan(this._id, action).then(
          plan => {
            this.setData({ acting: false })
            cache.markDirty('carePlans')
            toast('已' + labels.CARE_PLAN_ACTION[action])
            this.show(plan)
            return plan
          },
          () => {
            this.setData({ acting: false })
            return null
          },
        )
      })
    },

    onBack() {
      nav.back('carePlans')
    },

    retry() {
      return this.load()
    },
  },
})
