// 吹哨活动: the calls and activities of my community (and above), 我的活动 the ones I signed up for.
// The server decides what I may see (home community, my teams', my grants' areas), so no area is sent.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const callsService = require('../../../services/calls')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { askSubscribe, canSubscribe } = require('../../../utils/subscribe')
const { decorateCall } = require('../../../utils/format')

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    mine: false,
    isStaff: false,
    canSubscribe: false,
  },
  methods: {
    onLoad(query) {
      this.setData({
        mine: !!(query && query.mine),
        isStaff: session.isStaffRole(session.getActiveRole()),
        canSubscribe: canSubscribe('calls'),
      })
      this._loaded = true
      cache.takeDirty('calls')
      return this.loadFirst()
    },

    onShow() {
      if (this._loaded && cache.takeDirty('calls')) this.loadFirst({ quiet: true })
    },

    fetchPage(cursor) {
      const query = this.data.mine ? { mine: true, limit: 20, cursor } : { limit: 20, cursor }
      return callsService.listCalls(query, { showError: false })
    },

    decorate(item) {
      return decorateCall(item)
    },

    onTab(e) {
      const mine = e.currentTarget.dataset.mine === '1'
      if (mine === this.data.mine) return Promise.resolve()
      this.setData({ mine })
      return this.loadFirst()
    },

    onOpen(e) {
      const id = e.currentTarget.dataset.id
      cache.put('call', this.data.items.find(item => item.id === id))
      nav.go('callDetail', { id })
    },

    onSubscribe() {
      return askSubscribe('calls').then(agreed => {
        if (agreed) wx.showToast({ title: '社区吹哨时会提醒您', icon: 'none' })
      })
    },

    onCreate() {
      nav.go('callCreate')
    },
  },
})
