// 我的资料: nickname, real name, home community and 双报到 (Party member, work unit).
const careBehavior = require('../../../behaviors/care')
const meService = require('../../../services/me')
const areasService = require('../../../services/areas')
const nav = require('../../../utils/nav')
const log = require('../../../utils/log')

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    form: { nickname: '', real_name: '', home_area_id: null, is_party_member: false, work_unit: '' },
    communities: [], // my own communities (home, where I work), offered first; others by search
    areaName: '',
    errors: {},
  },
  methods: {
    onLoad() {
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      return meService.getMe({ showError: false }).then(user =>
        areasService.myCommunities(user).catch(err => {
          log.warn('profile: own communities', err)
          return []
        }).then(communities => {
          const home = communities.find(area => area.id === user.home_area_id)
          this.setData({
            state: 'ready',
            communities,
            areaName: home ? home.name : '',
            form: {
              nickname: user.nickname || '',
              real_name: user.real_name || '',
              home_area_id: user.home_area_id || null,
              is_party_member: !!user.is_party_member,
              work_unit: user.work_unit || '',
            },
          })
        }),
      ).catch(err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }))
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onCommunity(e) {
      this.setData({ 'form.home_area_id': e.detail.id, areaName: e.detail.name })
    },

    onPartyChange(e) {
      this.setData({ 'form.is_party_member': !!e.detail.value })
    },

    validate() {
      const errors = {}
      const form = this.data.form
      if (!form.nickname.trim()) errors.nickname = '请填写称呼'
      else if (form.nickname.trim().length > 32) errors.nickname = '称呼太长了'
      if (form.real_name.trim().length > 32) errors.real_name = '姓名太长了'
      if (form.work_unit.trim().length > 100) errors.work_unit = '单位名称太长了'
      this.setData({ errors })
      return !Object.keys(errors).length
    },

    onSave() {
      if (!this.validate()) return Promise.resolve()
      const form = this.data.form
      const changes = {
        nickname: form.nickname.trim(),
        real_name: form.real_name.trim(),
        home_area_id: form.home_area_id,
        is_party_member: form.is_party_member,
        work_unit: form.is_party_member ? form.work_unit.trim() : '',
      }
      return meService.updateMe(changes).then(
        () => {
          wx.showToast({ title: '已保存', icon: 'success' })
          setTimeout(() => nav.back('me'), 800)
        },
        err => {
          if (err && err.errors) this.setData({ errors: Object.assign({}, err.errors) })
        },
      )
    },

    retry() {
      return this.load()
    },
  },
})
