// 关怀模式: every page gets `care` (large text, high contrast) and `role` from the session.
const session = require('../utils/session')

module.exports = Behavior({
  data: {
    care: false,
  },
  lifetimes: {
    attached() {
      this.syncCare()
    },
  },
  pageLifetimes: {
    show() {
      this.syncCare()
    },
  },
  methods: {
    syncCare() {
      const care = session.isCareMode()
      if (care !== this.data.care) this.setData({ care })
    },
  },
})
