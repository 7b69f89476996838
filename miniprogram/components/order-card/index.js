// One order in a list. Expects an order passed through format.decorateOrder.
Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    order: { type: Object, value: {} },
    showActions: { type: Boolean, value: false },
    showContact: { type: Boolean, value: false },
  },
  methods: {
    onTap() {
      this.triggerEvent('open', { id: this.data.order.id })
    },
    onAction(e) {
      this.triggerEvent('action', { name: e.detail.name, id: this.data.order.id })
    },
  },
})
