// 完成服务: the assignee reports the result, with photos if any.
const careBehavior = require('../../../behaviors/care')
const ordersService = require('../../../services/orders')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { validateCompletion, firstError } = require('../../../utils/validate')

const QUICK_RESULTS = ['已按约定完成服务，居民表示满意', '已陪同就医，安全送回家', '已上门维修，设备恢复正常']

Component({
  behaviors: [careBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    order: null,
    result: '',
    photoIds: [],
    quickResults: QUICK_RESULTS,
    errors: {},
    submitting: false,
  },
  methods: {
    onLoad(query) {
      this.setData({ id: query.id })
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      return ordersService.getOrder(this.data.id, { showError: false }).then(
        order => {
          const allowed = (order.allowed_actions || []).indexOf('complete') >= 0
          this.setData({ order, state: allowed ? 'ready' : 'empty' })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onInput(e) {
      this.setData({ result: e.detail.value, 'errors.result': '' })
    },

    onQuick(e) {
      this.setData({ result: e.currentTarget.dataset.text, 'errors.result': '' })
    },

    onPhotos(e) {
      this.setData({ photoIds: e.detail.ids })
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const errors = validateCompletion({ result: this.data.result })
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const picker = this.selectComponent('#photos')
      if (picker && picker.isUploading && picker.isUploading()) {
        toast('照片还在上传，请稍等')
        return Promise.resolve(null)
      }
      this.setData({ submitting: true })
      return ordersService.completeOrder(this.data.id, this.data.result.trim(), this.data.photoIds).then(
        order => {
          this.setData({ submitting: false })
          cache.markDirty('orders')
          wx.showToast({ title: '辛苦了，已完成', icon: 'success' })
          setTimeout(() => nav.back('workbench'), 800)
          return order
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
