// Loading, error and empty states shared by every page.
Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    state: { type: String, value: 'loading' }, // loading | error | empty | ready
    message: { type: String, value: '' },
    emptyText: { type: String, value: '这里还没有内容' },
    emptyHint: { type: String, value: '' },
    actionText: { type: String, value: '' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry')
    },
    onAction() {
      this.triggerEvent('action')
    },
  },
})
