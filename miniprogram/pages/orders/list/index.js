// 我的订单: the orders I placed, by status, with their next step as a button.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const orderActionsBehavior = require('../../../behaviors/order-actions')
const ordersService = require('../../../services/orders')
const categoriesService = require('../../../services/categories')
const messages = require('../../../services/messages')
const { MY_ORDER_TABS } = require('../../../utils/constants')
const { decorateOrder } = require('../../../utils/format')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')

Component({
  behaviors: [careBehavior, listBehavior, orderActionsBehavior],
  data: {
    tabs: MY_ORDER_TABS,
    status: '',
  },
  methods: {
    onLoad(query) {
      if (query && query.status) this.setData({ status: query.status })
      this._loaded = true
      cache.takeDirty('orders')
      return this.loadFirst()
    },

    onShow() {
      messages.refreshBadge()
      if (this._loaded && cache.takeDirty('orders')) this.loadFirst({ quiet: true })
    },

    fetchPage(cursor) {
      return categoriesService
        .listCategories({ showError: false })
        .catch(() => [])
        .then(categories => {
          this._categories = categories
          return ordersService.listOrders(
            // view=requester: only the orders I placed, even for staff and volunteers.
            { view: 'requester', status: this.data.status, limit: 20, cursor },
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

    onOpen(e) {
      nav.go('orderDetail', { id: e.detail.id })
    },

    onOrderChanged(updated) {
      if (this.data.status && updated.status !== this.data.status) this.removeItem(updated.id)
      else this.replaceItem(updated)
    },

    onOrderConflict() {
      return this.loadFirst({ quiet: true })
    },

    onNewOrder() {
      nav.go('orderCreate')
    },
  },
})
