// Buttons for an order, drawn only from its allowed_actions.
const { orderActions } = require('../../utils/format')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    allowed: { type: Array, value: [] },
    compact: { type: Boolean, value: false },
    orderId: { type: null, value: null },
  },
  data: { actions: [] },
  observers: {
    allowed(allowed) {
      this.setData({ actions: orderActions(allowed) })
    },
  },
  methods: {
    onTap(e) {
      this.triggerEvent('action', { name: e.currentTarget.dataset.name, id: this.data.orderId })
    },
  },
})
