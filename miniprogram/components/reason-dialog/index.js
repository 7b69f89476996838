// A dialog asking for a short text (a reason or a note), with ready-made choices.
const { validateReason } = require('../../utils/validate')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    show: { type: Boolean, value: false },
    title: { type: String, value: '请填写原因' },
    placeholder: { type: String, value: '' },
    options: { type: Array, value: [] },
    confirmText: { type: String, value: '确定' },
    label: { type: String, value: '原因' },
  },
  data: { text: '', error: '' },
  observers: {
    show(show) {
      if (show) this.setData({ text: '', error: '' })
    },
  },
  methods: {
    onInput(e) {
      this.setData({ text: e.detail.value, error: '' })
    },
    onPick(e) {
      this.setData({ text: e.currentTarget.dataset.text, error: '' })
    },
    onConfirm() {
      const error = validateReason(this.data.text, this.data.label)
      if (error) {
        this.setData({ error })
        return
      }
      this.triggerEvent('confirm', { text: this.data.text.trim() })
    },
    onCancel() {
      this.triggerEvent('cancel')
    },
    noop() {},
  },
})
