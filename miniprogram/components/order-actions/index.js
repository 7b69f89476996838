// Buttons for an order, drawn only from its allowed_actions.
const { orderActions } = require('../../utils/format')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    allowed: { type: Array, value: [] },
    compact: { type: Boolean, value: false },
    orderId: { type: null, value: null },
    status: { type: String, value: '' }, // the order's: some actions take another word in a status (改派)
  },
  data: { actions: [] },
  observers: {
    'allowed, status'(allowed, status) {
      this.setData({ actions: orderActions(allowed, status) })
    },
  },
  methods: {
    onTap(e) {
      this.triggerEvent('action', { name: e.currentTarget.dataset.name, id: this.data.orderId })
    },
  },
})
