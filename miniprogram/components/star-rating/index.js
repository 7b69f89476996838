// Five big stars; tap to choose, or read-only for showing a rating.
const { STAR_WORDS } = require('../../utils/constants')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    value: { type: Number, value: 0 },
    readonly: { type: Boolean, value: false },
    small: { type: Boolean, value: false },
  },
  data: { stars: [1, 2, 3, 4, 5], word: '' },
  observers: {
    value(value) {
      this.setData({ word: STAR_WORDS[value] || '' })
    },
  },
  methods: {
    onTap(e) {
      if (this.data.readonly) return
      const value = Number(e.currentTarget.dataset.value)
      this.setData({ value })
      this.triggerEvent('change', { value })
    },
  },
})
