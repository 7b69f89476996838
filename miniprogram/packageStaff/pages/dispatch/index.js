// 派单: the server's ranked dispatch_teams (DESIGN §8) — the top three with one-tap dispatch, then the rest.
// On an order already dispatched it is 改派 (the same action): the server's dispatch_teams then leave out the
// order's own team. The server decides which teams may take the order; this page keeps no copy of that rule.
const careBehavior = require('../../../behaviors/care')
const orderForm = require('../../../behaviors/order-form')
const ordersService = require('../../../services/orders')
const categoriesService = require('../../../services/categories')
const { toast } = require('../../../utils/request')
const { decorateOrder } = require('../../../utils/format')
const { actionLabel } = require('../../../utils/constants')

const TOP = 3

Component({
  behaviors: [careBehavior, orderForm],
  data: {
    backTo: 'workbench',
    teams: [],
    top: [],
    rest: [],
    teamId: null,
    note: '',
    verb: actionLabel('dispatch', 'ordered'), // 派单, or 改派 for an order already dispatched
    redispatch: false,
  },
  methods: {
    load() {
      this.setData({ state: 'loading' })
      return Promise.all([
        ordersService.getOrder(this.data.id, { showError: false }),
        categoriesService.listCategories({ showError: false }).catch(() => []),
      ]).then(
        ([order, categories]) => {
          const teams = (order.dispatch_teams || []).map(team => Object.assign({ id: team.team_id }, team))
          const canDispatch = (order.allowed_actions || []).indexOf('dispatch') >= 0
          const verb = actionLabel('dispatch', order.status)
          if (verb !== this.data.verb) wx.setNavigationBarTitle({ title: verb })
          this.setData({
            verb,
            redispatch: order.status === 'dispatched',
            order: decorateOrder(order, categories),
            teams,
            top: teams.slice(0, TOP),
            rest: teams.slice(TOP),
            teamId: teams.length === 1 ? teams[0].id : null,
            state: canDispatch ? 'ready' : 'empty',
          })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onPick(e) {
      this.setData({ teamId: e.currentTarget.dataset.id })
    },

    onNote(e) {
      this.setData({ note: e.detail.value })
    },

    // One tap on a suggested team dispatches to it.
    onQuick(e) {
      this.setData({ teamId: e.currentTarget.dataset.id })
      return this.onSubmit()
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      if (!this.data.teamId) {
        toast('请先选择一个服务队')
        return Promise.resolve(null)
      }
      const { id, teamId, note } = this.data
      return this.submitAction(() => ordersService.dispatchOrder(id, teamId, note.trim()), this.data.verb + '成功')
    },
  },
})
