// 接单大厅: orders dispatched to my team(s); accept or decline, start and complete.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const orderActionsBehavior = require('../../../behaviors/order-actions')
const ordersService = require('../../../services/orders')
const teamsService = require('../../../services/teams')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const { TASK_TABS } = require('../../../utils/constants')
const { decorateOrder } = require('../../../utils/format')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')

Component({
  behaviors: [careBehavior, listBehavior, orderActionsBehavior],
  data: {
    tabs: TASK_TABS,
    status: 'dispatched',
    teams: [], // [{ id, name }]
    teamId: null,
    noTeam: false,
  },
  methods: {
    onLoad(query) {
      if (query && query.status) this.setData({ status: query.status })
      this._loaded = true
      cache.takeDirty('orders')
      return this.loadTeams().then(() => (this.data.noTeam ? null : this.loadFirst()))
    },

    onShow() {
      if (this._loaded && !this.data.noTeam && cache.takeDirty('orders')) this.loadFirst({ quiet: true })
    },

    loadTeams() {
      return meService.getMe({ showError: false }).then(
        user => {
          const memberships = user.teams || []
          if (!memberships.length) {
            this.setData({ noTeam: true, listState: 'empty' })
            return null
          }
          const teams = memberships.map(m => ({ id: m.team_id, name: '服务队' }))
          this.setData({ noTeam: false, teams, teamId: this.data.teamId || teams[0].id })
          // Names are nice to have: the list works without them.
          return Promise.all(
            memberships.map(m => teamsService.getTeam(m.team_id, { showError: false }).catch(() => null)),
          ).then(details => {
            const named = teams.map((team, i) => ({ id: team.id, name: (details[i] && details[i].name) || team.name }))
            this.setData({ teams: named })
          })
        },
        err => this.setData({ listState: 'error', listError: (err && err.message) || '加载失败' }),
      )
    },

    refreshPage() {
      return this.loadTeams().then(() => (this.data.noTeam ? null : this.loadFirst({ quiet: true })))
    },

    retryList() {
      return this.data.teams.length ? this.loadFirst() : this.onLoad({ status: this.data.status })
    },

    fetchPage(cursor) {
      return categoriesService
        .listCategories({ showError: false })
        .catch(() => [])
        .then(categories => {
          this._categories = categories
          return ordersService.listOrders(
            { view: 'team', team_id: this.data.teamId, status: this.data.status, limit: 20, cursor },
            { showError: false },
          )
        })
    },

    decorate(order) {
      return decorateOrder(order, this._categories)
    },

    onTab(e) {
      const status = e.currentTarget.dataset.key
      if (status === this.data.status) return Promise.resolve()
      this.setData({ status })
      return this.loadFirst()
    },

    onTeam(e) {
      const teamId = e.currentTarget.dataset.id
      if (teamId === this.data.teamId) return Promise.resolve()
      this.setData({ teamId })
      return this.loadFirst()
    },

    onOpen(e) {
      nav.go('orderDetail', { id: e.detail.id })
    },

    onOrderChanged(updated) {
      if (this.data.status.split(',').indexOf(updated.status) < 0) this.removeItem(updated.id)
      else this.replaceItem(updated)
    },

    onOrderConflict() {
      return this.loadFirst({ quiet: true })
    },

    onJoin() {
      nav.go('joinTeam')
    },
  },
})
