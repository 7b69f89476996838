// 发起吹哨: staff call the area's volunteers to a task at a time and place.
const careBehavior = require('../../../behaviors/care')
const callsService = require('../../../services/calls')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { validateCall, firstError } = require('../../../utils/validate')
const { formatDate } = require('../../../utils/format')
const dialog = require('../../../utils/dialog')

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    areas: [],
    areaIndex: 0,
    today: '',
    form: { area_id: null, title: '', description: '', place: '', date: '', time: '', quota: '' },
    errors: {},
    submitting: false,
  },
  methods: {
    onLoad() {
      this.setData({ today: formatDate(Date.now()) })
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      return meService.getMe({ showError: false }).then(
        user => {
          const areas = session.staffAreas(user)
          this.setData({
            areas,
            areaIndex: 0,
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

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onDate(e) {
      this.setData({ 'form.date': e.detail.value, 'errors.starts_at': '' })
    },

    onTime(e) {
      this.setData({ 'form.time': e.detail.value, 'errors.starts_at': '' })
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const form = this.data.form
      const errors = validateCall(Object.assign({}, form, { quota: Number(form.quota) }))
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const body = {
        area_id: form.area_id,
        title: form.title.trim(),
        description: form.description.trim(),
        place: form.place.trim(),
        // Picked in Shanghai time; sent with its offset.
        starts_at: form.date + 'T' + form.time + ':00+08:00',
        quota: Number(form.quota),
      }
      this.setData({ submitting: true })
      return callsService.createCall(body).then(
        call => {
          this.setData({ submitting: false })
          cache.markDirty('calls')
          dialog.done('已发布', '已召集志愿者报名。')
          nav.redirect('callDetail', { id: call.id })
          return call
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
