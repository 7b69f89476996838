// 我的: profile, phone binding, role switch, 关怀模式 and the personal entries.
const careBehavior = require('../../../behaviors/care')
const meService = require('../../../services/me')
const messages = require('../../../services/messages')
const session = require('../../../utils/session')
const config = require('../../../config/index')
const nav = require('../../../utils/nav')
const { toast, relogin, errorText } = require('../../../utils/request')
const { explainFailure } = require('../../../utils/permission')
const log = require('../../../utils/log')
const { ROLE_LABELS, TEAM_ROLE_LABELS } = require('../../../utils/constants')

const TAP_AGAIN = '请再点一次「一键绑定手机号」'

/** What went wrong with POST /me/phone, in words that ask for a new tap. */
function phoneBindError(err) {
  if (err && err.statusCode === 422 && err.errors && err.errors.code) {
    return '这次的手机号授权已失效（每次授权只能用一次），' + TAP_AGAIN
  }
  if (err && err.statusCode === 401) return '登录已过期，已为您重新登录，' + TAP_AGAIN
  return errorText(err).replace(/[。！]$/, '') + '，' + TAP_AGAIN
}

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
    phoneError: '',
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
      this.setData({ phoneError: '' })
      if (!detail.code) {
        const msg = String(detail.errMsg || '')
        if (/deny|cancel/.test(msg) && !/privacy|permission/.test(msg)) {
          toast('您取消了授权，可以稍后再绑定')
          return Promise.resolve()
        }
        return explainFailure('phone', detail)
      }
      return meService.bindPhone(detail.code, { showError: false }).then(
        user => {
          wx.showToast({ title: '手机号已绑定', icon: 'success' })
          this.render(user)
        },
        err => {
          const phoneError = phoneBindError(err)
          // A lost session: log in again now (never with the spent phone code) so the next tap works.
          if (err && err.statusCode === 401) relogin().catch(loginErr => log.warn('relogin after 401', loginErr))
          this.setData({ phoneError })
          toast(phoneError)
        },
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
      wx.showToast({ title: e.detail.value ? '已开启关怀模式' : '已关闭关怀模式', icon: 'none' })
    },

    onEntry(e) {
      nav.go(e.currentTarget.dataset.page, e.currentTarget.dataset.mine ? { mine: 1 } : undefined)
    },

    retry() {
      return this.load()
    },
  },
})
