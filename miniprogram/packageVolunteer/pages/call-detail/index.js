// 吹哨活动详情: sign up, withdraw, check in; staff of the area see who signed up, confirm who came, end it.
const careBehavior = require('../../../behaviors/care')
const callsService = require('../../../services/calls')
const cache = require('../../../utils/cache')
const { askSubscribe } = require('../../../utils/subscribe')
const { confirm } = require('../../../utils/dialog')
const { CALL_ACTIONS, CALL_ACTION_ORDER, SIGNUP_STATUS } = require('../../../utils/constants')
const { decorateCall } = require('../../../utils/format')
const { phoneCall } = require('../../../utils/permission')

// Sign-ups staff may still confirm (到场确认 earns the points).
const CONFIRMABLE = ['signed_up', 'checked_in']

/** Buttons from the call's allowed_actions, in the constants' order. */
function callActions(call) {
  const names = call.allowed_actions || []
  return CALL_ACTION_ORDER.filter(name => names.indexOf(name) >= 0).map(name => Object.assign({ name }, CALL_ACTIONS[name]))
}

/** The sign-ups staff see (the server sends them to staff of the call's area only). */
function decorateSignups(call) {
  return (call.signups || []).map(signup => Object.assign({}, signup, {
    label: SIGNUP_STATUS[signup.status] || signup.status_label,
    confirmable: CONFIRMABLE.indexOf(signup.status) >= 0,
  }))
}

Component({
  behaviors: [careBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    call: null,
    actions: [],
    signups: null,
    confirmLabel: CALL_ACTIONS.confirm.label,
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
      this.setData({
        state: 'ready',
        call: decorateCall(call),
        actions: callActions(call),
        signups: Array.isArray(call.signups) ? decorateSignups(call) : null,
      })
    },

    onAction(e) {
      const name = e.currentTarget.dataset.name
      const action = CALL_ACTIONS[name]
      // Asked inside the tap (WeChat allows the prompt only there), so the next 吹哨 can reach the volunteer.
      const subscribed = name === 'signup' ? askSubscribe('calls') : Promise.resolve()
      return subscribed.then(() => confirm(action.confirm)).then(ok => {
        if (!ok) return null
        return callsService.actOnCall(this.data.id, name).then(
          result => this.done('已' + action.label).then(() => result),
          err => (err && err.statusCode === 409 ? this.load(true) : null),
        )
      })
    },

    onConfirmSignup(e) {
      const signup = this.data.signups[e.currentTarget.dataset.index]
      return confirm('确认「' + signup.name + '」已经到场吗？确认后将记入积分。').then(ok => {
        if (!ok) return null
        return callsService.confirmSignup(this.data.id, signup.user_id).then(
          result => this.done('已' + CALL_ACTIONS.confirm.label).then(() => result),
          err => (err && err.statusCode === 409 ? this.load(true) : null),
        )
      })
    },

    /** After a change: lists refresh when shown again, and this page reloads (answers differ in shape). */
    done(text) {
      cache.markDirty('calls')
      wx.showToast({ title: text, icon: 'success' })
      return this.load(true)
    },

    onCallPhone(e) {
      const phone = e.currentTarget.dataset.phone
      return phone ? phoneCall(phone) : Promise.resolve(false)
    },

    retry() {
      return this.load()
    },
  },
})
