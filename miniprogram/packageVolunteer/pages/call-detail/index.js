// 吹哨活动详情: sign up, withdraw, check in; staff may end the call.
const careBehavior = require('../../../behaviors/care')
const callsService = require('../../../services/calls')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const { CALL_ACTIONS, CALL_ACTION_ORDER } = require('../../../utils/constants')
const { decorateCall, signedUp } = require('../../../utils/format')

const SUCCESS_TEXT = { signup: '报名成功', withdraw: '已取消报名', checkin: '签到成功', close: '活动已结束' }

/** Buttons from allowed_actions when the server sends them, else from the call's state. */
function callActions(call, isStaff) {
  let names = call.allowed_actions
  if (!Array.isArray(names)) {
    names = []
    const open = !call.status || call.status === 'open'
    const full = call.full !== undefined ? call.full : call.quota && call.signup_count >= call.quota
    if (signedUp(call)) names.push('checkin', 'withdraw')
    else if (open && !full) names.push('signup')
    if (isStaff && open) names.push('close')
  }
  return CALL_ACTION_ORDER.filter(name => names.indexOf(name) >= 0).map(name => Object.assign({ name }, CALL_ACTIONS[name]))
}

Component({
  behaviors: [careBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    call: null,
    actions: [],
  },
  methods: {
    onLoad(query) {
      this.setData({ id: query.id })
      return this.load()
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load(true).then(stop, stop)
    },

    load(quiet) {
      if (!quiet) this.setData({ state: 'loading' })
      return callsService.getCall(this.data.id, { showError: false }).then(
        call => this.show(call),
        err => {
          if (!quiet) this.setData({ state: 'error', error: (err && err.message) || '加载失败' })
        },
      )
    },

    show(call) {
      const isStaff = session.isStaffRole(session.getActiveRole())
      this.setData({ state: 'ready', call: decorateCall(call), actions: callActions(call, isStaff) })
    },

    onAction(e) {
      const name = e.currentTarget.dataset.name
      const action = CALL_ACTIONS[name]
      return new Promise(resolve => {
        wx.showModal({
          title: '请确认',
          content: action.confirm,
          confirmText: '确定',
          cancelText: '再想想',
          success: res => resolve(!!res.confirm),
          fail: () => resolve(false),
        })
      }).then(ok => {
        if (!ok) return null
        return callsService.actOnCall(this.data.id, name).then(
          result => {
            cache.markDirty('calls')
            wx.showToast({ title: SUCCESS_TEXT[name], icon: 'success' })
            // Some actions answer with the call, others with a sign-up: reload to be sure.
            return this.load(true).then(() => result)
          },
          err => {
            if (err && err.statusCode === 409) return this.load(true)
            return null
          },
        )
      })
    },

    retry() {
      return this.load()
    },
  },
})
