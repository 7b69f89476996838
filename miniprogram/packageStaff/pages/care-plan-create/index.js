// 新建周期服务: staff or a grid worker set up a recurring visit for a resident (weekdays, time slot, start, end, and
// optionally the team). Each visit is filed as an order the day before, on the resident's behalf, and goes to the
// plan's team when one is named. The team picker offers exactly the teams the server says may take the plan's
// orders (GET /teams?for_area_id=&category=); 不指定 leaves each visit to staff's dispatch.
const careBehavior = require('../../../behaviors/care')
const carePlans = require('../../../services/care-plans')
const categoriesService = require('../../../services/categories')
const teamsService = require('../../../services/teams')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const labels = require('../../../utils/labels')
const { toast } = require('../../../utils/request')
const { formatDate } = require('../../../utils/format')
const { validateCarePlan, firstError } = require('../../../utils/validate')

const WEEKDAYS = Object.keys(labels.WEEKDAY).map(key => ({ day: Number(key), label: labels.WEEKDAY[key] }))
const NO_TEAM = { id: null, name: '不指定' }
Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    areas: [],
    areaIndex: 0,
    categories: [],
    categoryIndex: -1,
    teams: [NO_TEAM],
    teamIndex: 0,
    teamsLoading: false,
    weekdays: WEEKDAYS,
    timeSlots: labels.TIME_SLOTS,
    today: '',
    form: { area_id: null, name: '', phone: '', category: '', title: '', description: '', address: '',
      weekdays: [], slot: '', starts_on: '', ends_on: '', team_id: null },
    picked: {},
    errors: {},
    submitting: false,
  },
  methods: {
    onLoad() {
      const today = formatDate(Date.now())
      this.setData({ today, 'form.starts_on': today })
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      return Promise.all([meService.getMe({ showError: false }), categoriesService.listCategories({ showError: false })]).then(
        ([user, categories]) => {
          const areas = session.staffAreas(user)
          this.setData({
            areas,
            categories,
            'form.area_id': areas.length ? areas[0].id : null,
            state: areas.length ? 'ready' : 'empty',
          })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onArea(e) {
      const index = Number(e.detail.value)
      this.setData({ areaIndex: index, 'form.area_id': this.data.areas[index].id })
      return this.loadTeams()
    },

    onCategory(e) {
      const index = Number(e.detail.value)
      this.setData({ categoryIndex: index, 'form.category': this.data.categories[index].code, 'errors.category': '' })
      return this.loadTeams()
    },

    /** The teams that may take the plan's visits, for its area and category (the server's rule); 不指定 first. */
    loadTeams() {
      const { area_id: areaId, category } = this.data.form
      if (!areaId || !category) return Promise.resolve()
      const asked = (this._teamsAsked || 0) + 1
      this._teamsAsked = asked
      this.setData({ teamsLoading: true })
      return teamsService.listTeams({ for_area_id: areaId, category }, { showError: false }).then(
        page => {
          if (asked !== this._teamsAsked) return // an answer to an earlier choice
          const teams = [NO_TEAM].concat((page.items || []).map(team => ({ id: team.id, name: team.name })))
          // Keep the team picked while it may still take the plan; else back to 不指定.
          const kept = teams.findIndex(team => team.id !== null && team.id === this.data.form.team_id)
          this.setData({ teams, teamIndex: Math.max(kept, 0), 'form.team_id': kept > 0 ? teams[kept].id : null,
            teamsLoading: false })
        },
        () => {
          if (asked !== this._teamsAsked) return
          this.setData({ teams: [NO_TEAM], teamIndex: 0, 'form.team_id': null, teamsLoading: false })
          toast('服务队加载失败，可先不指定')
        },
      )
    },

    onTeam(e) {
      const index = Number(e.detail.value)
      this.setData({ teamIndex: index, 'form.team_id': this.data.teams[index].id, 'errors.team_id': '' })
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onWeekday(e) {
      const day = Number(e.currentTarget.dataset.day)
      const days = this.data.form.weekdays
      const next = days.indexOf(day) >= 0 ? days.filter(d => d !== day) : days.concat(day).sort()
      const picked = {}
      next.forEach(d => {
        picked[d] = true
      })
      this.setData({ 'form.weekdays': next, picked, 'errors.weekdays': '' })
    },

    onSlot(e) {
      this.setData({ 'form.slot': e.currentTarget.dataset.slot, 'errors.time_slot': '' })
    },

    onDate(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onClearEnd() {
      this.setData({ 'form.ends_on': '' })
    },

    buildBody() {
      const form = this.data.form
      const body = {
        resident: { name: form.name.trim(), phone: form.phone.trim() },
        area_id: form.area_id,
        category: form.category,
        description: form.description.trim(),
        address: form.address.trim(),
        weekdays: form.weekdays,
        time_slot: form.slot,
        starts_on: form.starts_on,
      }
      if (form.title.trim()) body.title = form.title.trim()
      if (form.ends_on) body.ends_on = form.ends_on
      if (form.team_id) body.team_id = form.team_id
      return body
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const errors = validateCarePlan(this.data.form)
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      this.setData({ submitting: true })
      return carePlans.createPlan(this.buildBody()).then(
        plan => {
          this.setData({ submitting: false })
          cache.markDirty('carePlans')
          wx.showToast({ title: '已设立', icon: 'success' })
          nav.redirect('carePlan', { id: plan.id })
          return plan
        },
        err => {
          const fieldErrors = {}
          Object.keys((err && err.errors) || {}).forEach(key => {
            const value = err.errors[key]
            fieldErrors[key === 'resident' ? 'name' : key] = Array.isArray(value) ? String(value[0]) : '请检查'
          })
          this.setData({ submitting: false, errors: fieldErrors })
          return null
        },
      )
    },

    onBack() {
      nav.back('carePlans')
    },

    retry() {
      return this.load()
    },
  },
})
