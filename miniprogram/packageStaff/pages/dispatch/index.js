// 派单: pick the team that serves this order's area and category, add a note, dispatch.
const careBehavior = require('../../../behaviors/care')
const orderForm = require('../../../behaviors/order-form')
const ordersService = require('../../../services/orders')
const teamsService = require('../../../services/teams')
const categoriesService = require('../../../services/categories')
const { toast } = require('../../../utils/request')
const { decorateOrder } = require('../../../utils/format')

function serves(team, category) {
  const codes = (team.categories || []).map(c => c.code || c).concat(team.category_codes || [])
  // A team with no categories serves every category.
  return !codes.length || codes.indexOf(category) >= 0
}

Component({
  behaviors: [careBehavior, orderForm],
  data: {
    backTo: 'workbench',
    teams: [],
    teamId: null,
    note: '',
  },
  methods: {
    load() {
      this.setData({ state: 'loading' })
      return Promise.all([
        ordersService.getOrder(this.data.id, { showError: false }),
        categoriesService.listCategories({ showError: false }).catch(() => []),
      ])
        .then(([order, categories]) => {
          this._categories = categories
          return teamsService.listTeams({ area_id: order.area_id }, { showError: false }).then(page => [order, page])
        })
        .then(
          ([order, page]) => {
            const category = typeof order.category === 'object' && order.category ? order.category.code : order.category
            const teams = (page.items || [])
              .filter(team => team.is_active !== false && team.status !== 'inactive')
              .map(team => Object.assign({}, team, { fits: serves(team, category) }))
              // Teams serving the category first.
              .sort((a, b) => (b.fits ? 1 : 0) - (a.fits ? 1 : 0))
            const canDispatch = (order.allowed_actions || []).indexOf('dispatch') >= 0
            this.setData({
              order: decorateOrder(order, this._categories),
              teams,
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

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      if (!this.data.teamId) {
        toast('请先选择一个服务队')
        return Promise.resolve(null)
      }
      const { id, teamId, note } = this.data
      return this.submitAction(() => ordersService.dispatchOrder(id, teamId, note.trim()), '派单成功')
    },
  },
})
