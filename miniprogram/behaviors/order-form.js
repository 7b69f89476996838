// The pages that take one action on an order through a form (rate, complete, dispatch): load the
// order from ?id=, show the form only when the action is allowed, submit once, then go back.
// A page sets `backTo` (a nav target) in its data and implements load() (or uses loadFor).
const ordersService = require('../services/orders')
const cache = require('../utils/cache')
const nav = require('../utils/nav')
const dialog = require('../utils/dialog')

module.exports = Behavior({
  data: {
    id: null,
    state: 'loading',
    error: '',
    order: null,
    submitting: false,
  },
  methods: {
    onLoad(query) {
      this.setData({ id: query.id })
      return this.load()
    },

    // Loads the order; the form shows when `action` is in its allowed_actions, else the empty state.
    loadFor(action) {
      this.setData({ state: 'loading' })
      return ordersService.getOrder(this.data.id, { showError: false }).then(
        order => {
          const allowed = (order.allowed_actions || []).indexOf(action) >= 0
          this.setData({ order, state: allowed ? 'ready' : 'empty' })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    // Sends the action (a function returning the request's promise) while showing `submitting`;
    // on success marks order lists stale, thanks the user and goes back.
    submitAction(send, doneTitle) {
      this.setData({ submitting: true })
      return send().then(
        order => {
          this.setData({ submitting: false })
          cache.markDirty('orders')
          const shown = dialog.done(doneTitle)
          if (shown) shown.then(() => nav.back(this.data.backTo))
          else setTimeout(() => nav.back(this.data.backTo), 800)
          return order
        },
        () => {
          this.setData({ submitting: false })
          return null
        },
      )
    },

    onBack() {
      nav.back(this.data.backTo)
    },

    retry() {
      return this.load()
    },
  },
})
