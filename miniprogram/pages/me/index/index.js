// 我的: profile, phone binding, role switch, 关怀模式 and the personal entries.
const careBehavior = require('../../../behaviors/care')
const meService = require('../../../services/me')
const messages = require('../../../services/messages')
const session = require('../../../utils/session')
const config = require('../../../config/index')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { ROLE_LABELS, TEAM_ROLE_LABELS } = require('../../../utils/constants')

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    user: null,
    displayName: '',
    roleLabel: '',
    roles: [],
    isVolunteer: false,
    teamText: '',
    develop: false,
  },
  methods: {
    onLoad() {
      this.setData({ develop: config.isDevelop() })
      return this.load()
    },

    onShow() {
      messages.refreshBadge()
      if (this.data.state === 'ready' && session.getUser()) this.render(session.getUser())
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load(true).then(stop, stop)
    },

    load(refresh) {
      if (!refresh) this.setData({ state: 'loading' })
      return meService.getMe({ showError: !!refresh }).then(
        user => this.render(user),
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    render(user) {
      const roles = session.availableRoles(user).map(key => ({ key, label: ROLE_LABELS[key] }))
      const teams = user.teams || []
      this.setData({
        state: 'ready',
        user,
        displayName: user.real_name || user.nickname || '微信用户',
        roleLabel: ROLE_LABELS[session.getActiveRole()],
        roles,
        isVolunteer: teams.length > 0,
        teamText: teams.length ? teams.map(team => TEAM_ROLE_LABELS[team.role] || TEAM_ROLE_LABELS.member).join('、') : '',
      })
    },

    // <button open-type="getPhoneNumber">: WeChat gives a one-time code for POST /me/phone.
    onGetPhoneNumber(e) {
      const detail = (e && e.detail) || {}
      if (!detail.code) {
        toast(detail.errMsg && detail.errMsg.indexOf('deny') >= 0 ? '您取消了授权，可以稍后再绑定' : '没有拿到手机号，请稍后再试')
        return Promise.resolve()
      }
      return meService.bindPhone(detail.code).then(
        user => {
          wx.showToast({ title: '手机号已绑定', icon: 'success' })
          this.render(user)
        },
        () => null,
      )
    },

    onSwitchRole() {
      const roles = this.data.roles
      return new Promise(resolve => {
        wx.showActionSheet({
          itemList: roles.map(role => role.label),
          success: res => {
            const role = roles[res.tapIndex]
            if (role) {
              session.setActiveRole(role.key)
              this.setData({ roleLabel: role.label })
              wx.showToast({ title: '已切换为' + role.label, icon: 'none' })
            }
            resolve()
          },
          fail: () => resolve(),
        })
      })
    },

    onCareChange(e) {
      session.setCareMode(e.detail.value)
      this.syncCare()
    },

    /** The care-toggle row stored the choice already: the page follows it. */
    onCareToggled() {
      this.syncCare()
    },

    onEntry(e) {
      nav.go(e.currentTarget.dataset.page, e.currentTarget.dataset.mine ? { mine: 1 } : undefined)
    },

    retry() {
      return this.load()
    },
  },
})
