// The footer of a paged list.
Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    loading: { type: Boolean, value: false },
    finished: { type: Boolean, value: false },
    error: { type: Boolean, value: false },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry')
    },
  },
})
