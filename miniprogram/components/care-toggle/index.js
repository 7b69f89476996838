// 关怀模式 on or off: one big row (the whole row is the tap target), on 首页 and 我的.
const session = require('../../utils/session')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    on: { type: Boolean, value: false },
  },
  methods: {
    onToggle() {
      const on = !this.data.on
      session.setCareMode(on)
      session.setCareOffered()
      this.setData({ on })
      this.triggerEvent('change', { value: on })
    },
  },
})
