// Taking an order action from any page: a confirm, a reason dialog, or the action's own page.
// The page includes <reason-dialog> bound to `reasonDialog` and implements
// onOrderChanged(updatedOrder).
const ordersService = require('../services/orders')
const { ORDER_ACTIONS } = require('../utils/constants')
const cache = require('../utils/cache')
const nav = require('../utils/nav')
const { confirm } = require('../utils/dialog')
const { askSubscribe } = require('../utils/subscribe')

const ACTION_PAGES = { complete: 'complete', rate: 'rate', dispatch: 'dispatch' }

module.exports = Behavior({
  data: {
    reasonDialog: { show: false, title: '', placeholder: '', options: [], action: '', orderId: null },
  },
  methods: {
    /** bind:action from order-actions / order-card: detail { name, id }. */
    onOrderAction(e) {
      const name = e.detail.name
      const id = e.detail.id || (this.data.order && this.data.order.id)
      const action = ORDER_ACTIONS[name]
      if (!action || !id) return Promise.resolve()
      if (action.flow === 'page') {
        nav.go(ACTION_PAGES[name], { id })
        return Promise.resolve()
      }
      if (action.flow === 'reason') {
        this.setData({
          reasonDialog: {
            show: true,
            title: action.title,
            placeholder: action.placeholder,
            options: action.options || [],
            label: action.field === 'note' ? '回访情况' : '原因',
            action: name,
            orderId: id,
          },
        })
        return Promise.resolve()
      }
      return confirm(action.confirm || '确定' + action.label + '吗？').then(ok => {
        if (!ok) return null
        // A volunteer who takes orders agrees here (inside the tap) to hear about the next ones and reminders.
        const subscribed = name === 'accept' ? askSubscribe('teamWork') : Promise.resolve()
        return subscribed.then(() => this.sendOrderAction(id, name))
      })
    },

    onReasonConfirm(e) {
      const { action, orderId } = this.data.reasonDialog
      const field = ORDER_ACTIONS[action].field
      return this.sendOrderAction(orderId, action, { [field]: e.detail.text }).then(updated => {
        if (updated) this.setData({ 'reasonDialog.show': false })
        return updated
      })
    },

    onReasonCancel() {
      this.setData({ 'reasonDialog.show': false })
    },

    sendOrderAction(id, name, body) {
      return ordersService.act(id, name, body).then(
        updated => {
          cache.markDirty('orders')
          wx.showToast({ title: ORDER_ACTIONS[name] ? '已' + ORDER_ACTIONS[name].label : '操作成功', icon: 'success' })
          if (this.onOrderChanged) this.onOrderChanged(updated, name)
          return updated
        },
        err => {
          // 409: someone else acted first; show the fresh state.
          if (err && err.statusCode === 409 && this.onOrderConflict) this.onOrderConflict(id)
          return null
        },
      )
    },
  },
})
