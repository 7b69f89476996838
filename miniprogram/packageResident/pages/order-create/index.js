// 点单: a resident (or staff on a resident's behalf) describes a need and places an order.
const careBehavior = require('../../../behaviors/care')
const ordersService = require('../../../services/orders')
const categoriesService = require('../../../services/categories')
const areasService = require('../../../services/areas')
const offeringsService = require('../../../services/offerings')
const meService = require('../../../services/me')
const { askSubscribe } = require('../../../utils/subscribe')
const session = require('../../../utils/session')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const log = require('../../../utils/log')
const { validateOrderForm, firstError } = require('../../../utils/validate')
const { formatDate, formatTime } = require('../../../utils/format')
const { TIME_SLOTS, ORDER_STATUS } = require('../../../utils/constants')
const dialog = require('../../../utils/dialog')

const LAST_CONTACT_KEY = 'order.lastContact'

function newKey() {
  return 'order-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10)
}

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    onBehalf: false,
    offering: null,
    categories: [],
    categoryIndex: -1,
    communities: [], // the user's own communities, offered first
    areaName: '',
    boundPhone: '', // the bound phone as /me shows it (masked); offered instead of typing
    useBoundPhone: false,
    timeSlots: TIME_SLOTS,
    today: '',
    form: {
      category: '',
      area_id: null,
      description: '',
      address: '',
      contact_name: '',
      contact_phone: '',
      date: '',
      slot: '',
      behalf_name: '',
      behalf_phone: '',
    },
    photoIds: [],
    errors: {},
    submitting: false,
  },
  methods: {
    onLoad(query) {
      const q = query || {}
      const role = session.getActiveRole()
      this._query = q
      this.setData({
        onBehalf: !!q.behalf && session.isStaffRole(role),
        today: formatDate(Date.now()),
      })
      if (this.data.onBehalf) wx.setNavigationBarTitle({ title: '代居民点单' })
      return this.load()
    },

    load() {
      const q = this._query
      this.setData({ state: 'loading' })
      const offering = q.offering_id
        ? Promise.resolve(cache.get('offering', q.offering_id) || offeringsService.getOffering(q.offering_id, { showError: false }).catch(() => null))
        : Promise.resolve(null)
      const user = meService.currentUser().catch(err => {
        log.warn('order form: no profile', err)
        return null
      })
      return Promise.all([categoriesService.listCategories({ showError: false }), user, offering])
        .then(([categories, me, found]) => {
          const last = this.data.onBehalf ? {} : wx.getStorageSync(LAST_CONTACT_KEY) || {}
          // One small request for the user's own communities (staff: where they work); any other is found by name.
          const own = this.data.onBehalf
            ? areasService.areasByIds([found && found.area_id].concat(session.staffAreas(me).map(area => area.id)))
              .then(areas => areas.map(area => ({ id: area.id, name: area.name })))
            : areasService.myCommunities(me, [found && found.area_id, last.area_id])
          return own.catch(err => {
            log.warn('order form: own communities', err)
            return []
          }).then(communities => this.fill(categories, communities, me, found, last))
        })
        .catch(err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }))
    },

    fill(categories, communities, user, offering, last) {
      const q = this._query
      const onBehalf = this.data.onBehalf
      const categoryCode = (offering && (offering.category_code || offering.category)) || q.category || ''
      const categoryIndex = categories.findIndex(item => item.code === categoryCode)
      // The offering's community, else the last order's, else home (the first of `communities` for staff).
      const preferred = (offering && offering.area_id) || (!onBehalf && (last.area_id || (user && user.home_area_id))) || null
      const area = communities.find(item => item.id === preferred) || (communities.length && (onBehalf || !preferred) ? communities[0] : null)
      const boundPhone = (!onBehalf && user && user.phone) || ''
      // The bound phone is offered unless the last order went to another number.
      const useBoundPhone = !!boundPhone && !last.contact_phone
      this.setData({
        state: 'ready',
        offering,
        categories,
        categoryIndex,
        communities,
        areaName: area ? area.name : '',
        boundPhone,
        useBoundPhone,
        form: Object.assign({}, this.data.form, {
          category: categoryIndex >= 0 ? categories[categoryIndex].code : '',
          area_id: area ? area.id : null,
          address: last.address || '',
          contact_name: last.contact_name || (!onBehalf && user && (user.real_name || user.nickname)) || '',
          contact_phone: last.contact_phone || '',
        }),
      })
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ ['form.' + field]: e.detail.value, ['errors.' + field]: '' })
    },

    onCategory(e) {
      const index = Number(e.detail.value)
      this.setData({ categoryIndex: index, 'form.category': this.data.categories[index].code, 'errors.category': '' })
    },

    onCommunity(e) {
      this.setData({ 'form.area_id': e.detail.id, areaName: e.detail.name, 'errors.area_id': '' })
    },

    onPhoneChoice(e) {
      this.setData({ useBoundPhone: e.currentTarget.dataset.bound === 'yes', 'errors.contact_phone': '' })
    },

    onDate(e) {
      this.setData({ 'form.date': e.detail.value })
    },

    onSlot(e) {
      const slot = e.currentTarget.dataset.slot
      this.setData({ 'form.slot': this.data.form.slot === slot ? '' : slot })
    },

    onPhotos(e) {
      this.setData({ photoIds: e.detail.ids })
    },

    /** The body of POST /orders from the form. */
    buildBody() {
      const form = this.data.form
      const offering = this.data.offering
      const body = {
        category: form.category,
        area_id: Number(form.area_id),
        description: form.description.trim(),
        address: form.address.trim(),
        contact_name: form.contact_name.trim(),
        contact_phone: form.contact_phone.trim(),
      }
      if (this.data.onBehalf) {
        // Filed for a resident: the resident is the contact, asked for once.
        body.contact_name = form.behalf_name.trim()
        body.contact_phone = form.behalf_phone.trim()
      } else if (this.data.useBoundPhone) {
        delete body.contact_phone
        body.use_bound_phone = true
      }
      if (offering) {
        body.offering_id = offering.id
        body.title = offering.title
      }
      const preferred = [form.date, form.slot].filter(Boolean).join(' ')
      if (preferred) body.preferred_time = preferred
      if (this.data.photoIds.length) body.photos = this.data.photoIds
      if (this.data.onBehalf) body.on_behalf_of = { name: form.behalf_name.trim(), phone: form.behalf_phone.trim() }
      return body
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const errors = validateOrderForm(this.data.form, { onBehalf: this.data.onBehalf, useBoundPhone: this.data.useBoundPhone })
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const photoPicker = this.selectComponent('#photos')
      if (photoPicker && photoPicker.isUploading && photoPicker.isUploading()) {
        toast('照片还在上传，请稍等')
        return Promise.resolve(null)
      }
      // Asked inside the tap: WeChat allows the subscribe prompt only from a user gesture.
      return askSubscribe('orderProgress')
        .then(() => this.checkDuplicates())
        .then(go => (go ? this.send() : null))
    },

    /** An open order of the same need from the last 3 days: show it and ask before sending a second one.
     * Resolves true to send. A failed check does not stop the order. */
    checkDuplicates() {
      const form = this.data.form
      const phone = this.data.onBehalf ? form.behalf_phone.trim() : ''
      return ordersService.possibleDuplicates(form.category, phone, { showError: false }).then(
        page => {
          const open = (page && page.items) || []
          if (!open.length) return true
          const last = open[open.length - 1]
          const label = (ORDER_STATUS[last.status] || { label: '办理中' }).label
          const who = this.data.onBehalf ? '这位居民' : '您'
          return dialog.confirm(`${who}${formatTime(last.created_at)}提交的「${last.title}」还在办理中（${label}），是同一件事吗？`, {
            title: '已有同类工单',
            confirmText: '仍要提交',
            cancelText: '查看已有',
          }).then(send => {
            if (!send) nav.go('orderDetail', { id: last.id })
            return send
          })
        },
        () => true,
      )
    },

    send() {
      const body = this.buildBody()
      const signature = JSON.stringify(body)
      // The same body keeps its Idempotency-Key, so a retry after a lost answer is not a second order.
      if (!this._attempt || this._attempt.signature !== signature) this._attempt = { signature, key: newKey() }
      this.setData({ submitting: true })
      return ordersService.createOrder(body, this._attempt.key).then(
        order => {
          this.setData({ submitting: false })
          if (!this.data.onBehalf) {
            wx.setStorageSync(LAST_CONTACT_KEY, {
              area_id: body.area_id,
              address: body.address,
              contact_name: body.contact_name,
              contact_phone: body.contact_phone || '',
            })
          }
          cache.markDirty('orders')
          dialog.done('提交成功', '社区会尽快安排志愿者，办理进度在「我的订单」里能看到。')
          nav.redirect('orderDetail', { id: order.id })
          return order
        },
        err => {
          const fieldErrors = {}
          Object.keys((err && err.errors) || {}).forEach(key => {
            const value = err.errors[key]
            fieldErrors[key] = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : '请检查'
          })
          this.setData({ submitting: false, errors: fieldErrors })
          return null
        },
      )
    },

    retry() {
      return this.load()
    },
  },
})
