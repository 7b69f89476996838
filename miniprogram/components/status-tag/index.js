// An order's status in words, with 已超期 when it is overdue.
const { ORDER_STATUS } = require('../../utils/constants')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    status: { type: String, value: '' },
    overdue: { type: Boolean, value: false },
  },
  data: { label: '', tone: 'muted' },
  observers: {
    status(status) {
      const info = ORDER_STATUS[status] || { label: status, tone: 'muted' }
      this.setData({ label: info.label, tone: info.tone })
    },
  },
})
