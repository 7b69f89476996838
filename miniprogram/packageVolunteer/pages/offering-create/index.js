// 发布亮单: a team leader publishes a service; the community reviews it before residents see it.
const careBehavior = require('../../../behaviors/care')
const offeringsService = require('../../../services/offerings')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { validateOffering, firstError } = require('../../../utils/validate')

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    teamId: null,
    categories: [],
    categoryIndex: -1,
    form: { category: '', title: '', description: '', service_times: '' },
    errors: {},
    submitting: false,
  },
  methods: {
    onLoad(query) {
      this._query = query || {}
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      return Promise.all([categoriesService.listCategories({ showError: false }), meService.getMe({ showError: false })]).then(
        ([categories, user]) => {
          const led = (user.teams || []).filter(team => team.role === 'leader')
          const wanted = Number(this._query.team_id)
          const team = led.find(t => t.team_id === wanted) || led[0]
          this.setData({ categories, teamId: team ? team.team_id : null, state: team ? 'ready' : 'empty' })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onCategory(e) {
      const index = Number(e.detail.value)
      this.setData({ categoryIndex: index, 'form.category': this.data.categories[index].code, 'errors.category': '' })
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const errors = validateOffering(this.data.form)
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const form = this.data.form
      const body = {
        team_id: this.data.teamId,
        category: form.category,
        title: form.title.trim(),
        description: form.description.trim(),
      }
      if (form.service_times.trim()) body.service_times = form.service_times.trim()
      this.setData({ submitting: true })
      return offeringsService.createOffering(body).then(
        offering => {
          this.setData({ submitting: false })
          wx.showToast({ title: '已提交，等社区审核', icon: 'none' })
          setTimeout(() => nav.back('workbench'), 1000)
          return offering
        },
        () => {
          this.setData({ submitting: false })
          return null
        },
      )
    },

    onBack() {
      nav.back('workbench')
    },

    retry() {
      return this.load()
    },
  },
})
