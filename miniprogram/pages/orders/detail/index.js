// 订单详情: the order, its timeline, its rating, and the buttons its allowed_actions give.
const careBehavior = require('../../../behaviors/care')
const orderActionsBehavior = require('../../../behaviors/order-actions')
const ordersService = require('../../../services/orders')
const categoriesService = require('../../../services/categories')
const { decorateOrder, decorateEvent, formatTime } = require('../../../utils/format')
const { phoneCall } = require('../../../utils/permission')

// What the status means, in a sentence, for whoever is looking.
const STATUS_HINTS = {
  ordered: '社区正在为您安排服务队，请耐心等待',
  dispatched: '已派给志愿服务队，等待志愿者接单',
  accepted: '志愿者已接单，会按约定时间联系您',
  in_service: '志愿者正在服务中',
  completed: '服务已完成，请您给这次服务打个分',
  rated: '感谢您的评价，社区会持续改进服务',
  cancelled: '这个订单已取消',
  closed: '这个工单已关闭',
}

Component({
  behaviors: [careBehavior, orderActionsBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    order: null,
    events: [],
    statusHint: '',
    phoneCallable: false,
  },
  methods: {
    onLoad(query) {
      this.setData({ id: query.id })
      return this.load()
    },

    onShow() {
      // Back from 评价 / 完成 / 派单: show the new state.
      if (this._loaded) this.load({ quiet: true })
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load({ quiet: true }).then(stop, stop)
    },

    load(options) {
      const quiet = options && options.quiet
      if (!quiet) this.setData({ state: 'loading', error: '' })
      const categories = categoriesService.listCategories({ showError: false }).catch(() => [])
      return Promise.all([ordersService.getOrder(this.data.id, { showError: quiet }), categories]).then(
        ([order, list]) => {
          this._loaded = true
          this.show(order, list)
        },
        err => {
          if (!quiet) this.setData({ state: 'error', error: (err && err.message) || '加载失败' })
        },
      )
    },

    show(order, categories) {
      if (categories) this._categories = categories
      const decorated = decorateOrder(order, this._categories)
      decorated.dispatchedText = formatTime(order.dispatched_at)
      decorated.acceptedText = formatTime(order.accepted_at)
      decorated.completedText = formatTime(order.completed_at)
      decorated.isOpen = ['ordered', 'dispatched', 'accepted', 'in_service'].indexOf(order.status) >= 0
      const events = (order.events || this.data.order && this.data.order.events || []).map(decorateEvent).reverse()
      this.setData({
        state: 'ready',
        order: decorated,
        events,
        statusHint: STATUS_HINTS[order.status] || '',
        phoneCallable: !!order.contact_phone && order.contact_phone.indexOf('*') < 0,
      })
    },

    // From the order-actions behavior: the action returned the updated order.
    onOrderChanged(updated) {
      this.show(updated)
      // Actions may not carry events; fetch the full order for the timeline.
      return this.load({ quiet: true })
    },

    onOrderConflict() {
      return this.load({ quiet: true })
    },

    onCall() {
      return this.data.phoneCallable ? phoneCall(this.data.order.contact_phone) : Promise.resolve(false)
    },

    retry() {
      return this.load()
    },
  },
})
