// 吹哨活动: calls for volunteers in my community; 我的活动 shows the ones I signed up for.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const callsService = require('../../../services/calls')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { decorateCall, signedUp } = require('../../../utils/format')

function areaOf(user) {
  if (!user) return null
  const staffArea = session.isStaffRole(session.getActiveRole()) ? session.staffAreas(user)[0] : null
  return (staffArea && staffArea.id) || user.home_area_id || null
}

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    mine: false,
    isStaff: false,
  },
  methods: {
    onLoad(query) {
      this.setData({
        mine: !!(query && query.mine),
        isStaff: session.isStaffRole(session.getActiveRole()),
      })
      this._loaded = true
      cache.takeDirty('calls')
      return this.loadFirst()
    },

    onShow() {
      if (this._loaded && cache.takeDirty('calls')) this.loadFirst({ quiet: true })
    },

    fetchPage(cursor) {
      return meService
        .currentUser()
        .catch(() => null)
        .then(user =>
          callsService.listCalls(
            this.data.mine
              ? { mine: true, limit: 20, cursor }
              : { area_id: areaOf(user), limit: 20, cursor },
            { showError: false },
          ),
        )
        .then(page => {
          if (!this.data.mine) return page
          // 我的活动: keep only calls I signed up for, whatever the server's filter.
          const items = (page.items || []).filter(item => signedUp(item) || (item.my_signup === undefined && item.signed_up === undefined))
          return { items, next_cursor: page.next_cursor }
        })
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

    onCreate() {
      nav.go('callCreate')
    },
  },
})
