// 待派单: orders waiting for a team, overdue ones first.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const orderActionsBehavior = require('../../../behaviors/order-actions')
const ordersService = require('../../../services/orders')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { decorateOrder } = require('../../../utils/format')

Component({
  behaviors: [careBehavior, listBehavior, orderActionsBehavior],
  data: {
    areas: [],
    areaId: null,
    overdueCount: 0,
  },
  methods: {
    onLoad() {
      this._loaded = true
      cache.takeDirty('orders')
      return meService
        .currentUser()
        .catch(() => null)
        .then(user => {
          this.setData({ areas: session.staffAreas(user) })
          return this.loadFirst()
        })
    },

    onShow() {
      if (this._loaded && cache.takeDirty('orders')) this.loadFirst({ quiet: true })
    },

    /**
     * Two passes over the queue: overdue orders (overdue=true) to their end, then the rest
     * (overdue=false). The cursor remembers which pass it belongs to.
     */
    fetchPage(cursor) {
      const pass = cursor ? cursor.pass : 'overdue'
      if (!cursor) this._overdueSeen = 0
      return categoriesService
        .listCategories({ showError: false })
        .catch(() => [])
        .then(categories => {
          this._categories = categories
          return ordersService.listOrders(
            {
              view: 'area',
              status: 'ordered',
              area_id: this.data.areaId,
              overdue: pass === 'overdue',
              limit: 20,
              cursor: cursor && cursor.cursor,
            },
            { showError: false },
          )
        })
        .then(page => {
          const items = page.items || []
          if (pass === 'overdue') {
            this._overdueSeen += items.length
            this.setData({ overdueCount: this._overdueSeen })
          }
          let next = null
          if (page.next_cursor) next = { pass, cursor: page.next_cursor }
          else if (pass === 'overdue') next = { pass: 'rest', cursor: null }
          // The overdue pass keeps its order; within a page, overdue first in any case.
          const sorted = items.slice().sort((a, b) => (b.overdue ? 1 : 0) - (a.overdue ? 1 : 0))
          return { items: sorted, next_cursor: next }
        })
    },

    decorate(order) {
      return decorateOrder(order, this._categories)
    },

    onArea(e) {
      const id = e.currentTarget.dataset.id
      this.setData({ areaId: id === this.data.areaId ? null : id })
      return this.loadFirst()
    },

    onOpen(e) {
      nav.go('orderDetail', { id: e.detail.id })
    },

    onOrderChanged(updated) {
      if (updated.status !== 'ordered') this.removeItem(updated.id)
      else this.replaceItem(updated)
    },

    onOrderConflict() {
      return this.loadFirst({ quiet: true })
    },
  },
})
