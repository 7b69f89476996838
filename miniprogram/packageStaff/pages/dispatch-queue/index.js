// 待派单: orders waiting for a team, overdue ones first; likely duplicates (the server's marks) can be cancelled
// as duplicates of the other order.
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
const { confirm } = require('../../../utils/dialog')
const { toast } = require('../../../utils/request')

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
          return this.markDuplicates(sorted).then(marked => ({ items: marked, next_cursor: next }))
        })
    },

    /** Each order with `duplicateOf`: the open orders it likely duplicates (none if the check fails). */
    markDuplicates(items) {
      if (!items.length) return Promise.resolve(items)
      return ordersService
        .duplicateMarks(items.map(order => order.id), { showError: false })
        .then(page => page.items || [], () => [])
        .then(marks => {
          const found = {}
          marks.forEach(mark => {
            found[mark.order_id] = mark.duplicates
          })
          return items.map(order => Object.assign({}, order, { duplicateOf: found[order.id] || [] }))
        })
    },

    onCancelDuplicate(e) {
      const { id, other } = e.currentTarget.dataset
      return confirm(`确认把订单 #${id} 作为 #${other} 的重复单取消吗？`, { confirmText: '取消此单', cancelText: '再想想' }).then(yes => {
        if (!yes) return null
        return ordersService.cancelOrder(id, `与工单 #${other} 重复`).then(
          () => {
            toast(`已取消，保留 #${other}`)
            this.removeItem(id)
            // The order kept is no longer a duplicate of the one cancelled.
            const items = this.data.items.map(order =>
              (order.duplicateOf || []).indexOf(id) >= 0 ? Object.assign({}, order, { duplicateOf: order.duplicateOf.filter(x => x !== id) }) : order)
            this.setData({ items })
          },
          () => null,
        )
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
