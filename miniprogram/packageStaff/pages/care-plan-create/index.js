// 新建周期服务: staff or a grid worker set up a recurring visit for a resident (weekdays, time slot, start, end).
// Each visit is filed as an order the day before, on the resident's behalf; the team is chosen on the console.
const careBehavior = require('../../../behaviors/care')
const carePlans = require('../../../services/care-plans')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const labels = require('../../../utils/labels')
const { toast } = require('../../../utils/request')
const { formatDate } = require('../../../utils/format')
const { validateCarePlan, firstError } = require('../../../utils/validate')

const WEEKDAYS = Object.keys(labels.WEEKDAY).map(key => ({ day: Number(key), label: labels.WEEKDAY[key] }))
Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    areas: [],
    areaIndex: 0,
    categories: [],
    categoryIndex: -1,
    weekdays: WEEKDAYS,
    timeSlots: labels.TIME_SLOTS,
    today: '',
    form: { area_id: null, name: '', phone: '', category: '', title: '', description: '', address: '',
      weekdays: [], slot: '', starts_on: '', ends_on: '' },
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
    },

    onCategory(e) {
      const index = Number(e.detail.value)
      this.setData({ categoryIndex: index, 'form.category': this.data.categories[index].code, 'errors.category': '' })
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
