// 工作台: the entries of the role the user is acting in (居民 / 志愿者 / 社区工作人员 …).
const careBehavior = require('../../../behaviors/care')
const meService = require('../../../services/me')
const messages = require('../../../services/messages')
const session = require('../../../utils/session')
const nav = require('../../../utils/nav')
const { ROLE_LABELS } = require('../../../utils/constants')

const ENTRIES = {
  resident: [
    { page: 'orderCreate', label: '我要点单', badge: '点', hint: '说说您需要什么帮助' },
    { page: 'myOrders', label: '我的订单', badge: '单', hint: '看看办到哪一步了' },
    { page: 'calls', label: '志愿活动', badge: '活', hint: '社区吹哨和活动，报名参加' },
    { page: 'joinTeam', label: '加入服务队', badge: '队', hint: '凭邀请码加入志愿服务队' },
  ],
  volunteer: [
    { page: 'tasks', label: '接单大厅', badge: '接', hint: '派给我们队的服务' },
    { page: 'team', label: '我的服务队', badge: '队', hint: '队伍、队员和亮单' },
    { page: 'calls', label: '吹哨活动', badge: '哨', hint: '社区召集，报名参加' },
    { page: 'points', label: '我的积分', badge: '分', hint: '服务积分和排行' },
    { page: 'rewards', label: '积分超市', badge: '兑', hint: '用积分兑换生活用品' },
    { page: 'serviceRecord', label: '服务记录', badge: '时', hint: '服务时长，开具记录证明' },
    { page: 'offeringCreate', label: '发布亮单', badge: '亮', hint: '队长发布服务项目', leaderOnly: true },
  ],
  staff: [
    { page: 'dispatchQueue', label: '待派单', badge: '派', hint: '超期的排在最前' },
    { page: 'offeringReview', label: '亮单审核', badge: '审', hint: '审核服务队的亮单' },
    { page: 'ratingReview', label: '评单审核', badge: '评', hint: '回访居民评价' },
    { page: 'stats', label: '数据统计', badge: '数', hint: '办结率、满意率' },
    { page: 'orderCreate', label: '代居民点单', badge: '代', hint: '替老人登记需求', query: { behalf: 1 } },
    { page: 'callCreate', label: '发起吹哨', badge: '哨', hint: '召集志愿者' },
    { page: 'carePlans', label: '周期服务', badge: '期', hint: '为独居老人定期上门' },
    { page: 'calls', label: '吹哨活动', badge: '活', hint: '报名情况、确认到场' },
    { page: 'scan', label: '扫码登录', badge: '扫', hint: '登录电脑上的工作台' },
    { page: 'fulfil', label: '兑换核销', badge: '核', hint: '积分超市奖品领取' },
  ],
  grid_worker: [
    { page: 'orderCreate', label: '代居民点单', badge: '代', hint: '替老人登记需求', query: { behalf: 1 } },
    { page: 'dispatchQueue', label: '辖区待派单', badge: '单', hint: '看看哪些需求在等待' },
    { page: 'carePlans', label: '周期服务', badge: '期', hint: '为独居老人定期上门' },
    { page: 'calls', label: '吹哨活动', badge: '哨', hint: '社区召集，报名参加' },
  ],
}
ENTRIES.admin = ENTRIES.staff

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    role: 'resident',
    roleLabel: '',
    roles: [],
    entries: [],
    userName: '',
  },
  methods: {
    onLoad() {
      return this.load()
    },

    onShow() {
      messages.refreshBadge()
      if (this.data.state === 'ready') this.render(session.getUser())
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load(true).then(stop, stop)
    },

    load(refresh) {
      if (!refresh) this.setData({ state: 'loading' })
      return meService.getMe({ showError: !!refresh }).then(
        user => this.render(user),
        err => {
          const cached = session.getUser()
          if (cached) this.render(cached)
          else this.setData({ state: 'error', error: (err && err.message) || '加载失败' })
        },
      )
    },

    render(user) {
      const role = session.getActiveRole()
      const isLeader = !!(user && (user.teams || []).some(team => team.role === 'leader'))
      const entries = (ENTRIES[role] || ENTRIES.resident).filter(entry => !entry.leaderOnly || isLeader)
      const roles = session.availableRoles(user).map(key => ({ key, label: ROLE_LABELS[key] }))
      this.setData({
        state: 'ready',
        role,
        roleLabel: ROLE_LABELS[role],
        roles,
        entries,
        userName: (user && (user.real_name || user.nickname)) || '',
      })
    },

    onSwitchRole(e) {
      session.setActiveRole(e.currentTarget.dataset.key)
      this.render(session.getUser())
    },

    onEntry(e) {
      const entry = this.data.entries[e.currentTarget.dataset.index]
      nav.go(entry.page, entry.query)
    },

    retry() {
      return this.load()
    },
  },
})
