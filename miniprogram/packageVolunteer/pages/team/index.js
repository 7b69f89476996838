// 我的服务队: the team, its members, invite code (for leaders) and its 亮单.
const careBehavior = require('../../../behaviors/care')
const teamsService = require('../../../services/teams')
const offeringsService = require('../../../services/offerings')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const { explainFailure } = require('../../../utils/permission')
const nav = require('../../../utils/nav')
const { confirm } = require('../../../utils/dialog')
const { TEAM_ROLE_LABELS, OFFERING_STATUS } = require('../../../utils/constants')

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    teams: [], // decorated teams with members and offerings
  },
  methods: {
    onLoad() {
      return this.load()
    },

    onShow() {
      if (this._loaded) this.load(true)
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load(true).then(stop, stop)
    },

    load(quiet) {
      if (!quiet) this.setData({ state: 'loading' })
      return Promise.all([meService.getMe({ showError: false }), categoriesService.listCategories({ showError: false }).catch(() => [])])
        .then(([user, categories]) => {
          const memberships = user.teams || []
          if (!memberships.length) return []
          return Promise.all(memberships.map(m => this.loadTeam(m, categories)))
        })
        .then(
          teams => {
            this._loaded = true
            this.setData({ teams, state: teams.length ? 'ready' : 'empty' })
          },
          err => {
            if (!quiet) this.setData({ state: 'error', error: (err && err.message) || '加载失败' })
          },
        )
    },

    loadTeam(membership, categories) {
      const isLeader = membership.role === 'leader'
      return Promise.all([
        teamsService.getTeam(membership.team_id, { showError: false }),
        offeringsService.listOfferings({ team_id: membership.team_id, limit: 50 }, { showError: false }).catch(() => ({ items: [] })),
      ]).then(([team, offerings]) => {
        const refs = team.categories || (team.category_codes || []).map(code => ({ code }))
        const names = refs.map(ref => {
          if (ref.name) return ref.name
          const found = categories.find(c => c.code === ref.code)
          return found ? found.name : ref.code
        })
        return Object.assign({}, team, {
          myRole: TEAM_ROLE_LABELS[membership.role] || TEAM_ROLE_LABELS.member,
          isLeader,
          categoryText: names.length ? names.join('、') : '各类服务',
          members: (team.members || []).map(member => Object.assign({}, member, {
            roleLabel: TEAM_ROLE_LABELS[member.role] || TEAM_ROLE_LABELS.member,
            name: member.real_name || member.nickname || member.name || '队员',
          })),
          offerings: (offerings.items || []).map(offering => {
            const status = OFFERING_STATUS[offering.status] || OFFERING_STATUS.published
            return Object.assign({}, offering, {
              statusLabel: status.label,
              statusTone: status.tone,
              canWithdraw: isLeader && (!offering.status || offering.status === 'published'),
            })
          }),
        })
      })
    },

    onCopyCode(e) {
      const data = e.currentTarget.dataset.code
      return new Promise(resolve => {
        wx.setClipboardData({
          data,
          success: () => resolve(true),
          // Refused, or the privacy guide not agreed: say so, and how to allow it.
          fail: res => explainFailure('clipboard', res).then(() => resolve(false)),
        })
      })
    },

    onNewOffering(e) {
      nav.go('offeringCreate', { team_id: e.currentTarget.dataset.id })
    },

    onWithdraw(e) {
      const id = e.currentTarget.dataset.id
      return confirm('撤回后居民就看不到这项服务了，确定撤回吗？', {
        title: '撤回亮单', confirmText: '撤回', cancelText: '不撤回',
      }).then(ok => {
        if (!ok) return null
        return offeringsService.withdrawOffering(id).then(
          () => {
            wx.showToast({ title: '已撤回', icon: 'success' })
            return this.load(true)
          },
          () => null,
        )
      })
    },

    onJoin() {
      nav.go('joinTeam')
    },

    onTasks() {
      nav.go('tasks')
    },

    retry() {
      return this.load()
    },
  },
})
