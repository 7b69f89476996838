// 评单审核: ratings to follow up (回访), low scores first; the note goes to POST /orders/{id}/review.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const ratingsService = require('../../../services/ratings')
const ordersService = require('../../../services/orders')
const { ORDER_ACTIONS } = require('../../../utils/constants')
const { formatTime } = require('../../../utils/format')
const nav = require('../../../utils/nav')
const dialog = require('../../../utils/dialog')

// The API's queue defaults to max_stars=2; the other filters widen it to every rating.
const FILTERS = [
  { key: 'low', label: '差评待回访', query: { max_stars: 2, reviewed: false } },
  { key: 'todo', label: '全部待回访', query: { max_stars: 5, reviewed: false } },
  { key: 'done', label: '已回访', query: { max_stars: 5, reviewed: true } },
]

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    filters: FILTERS,
    filter: 'low',
    dialog: { show: false, orderId: null, ratingId: null },
    reviewAction: ORDER_ACTIONS.review,
  },
  methods: {
    onLoad() {
      return this.loadFirst()
    },

    fetchPage(cursor) {
      const filter = FILTERS.find(f => f.key === this.data.filter)
      return ratingsService.listRatings(Object.assign({ limit: 20, cursor }, filter.query), { showError: false })
    },

    decorate(rating) {
      return Object.assign({}, rating, {
        title: rating.order_title || (rating.order && rating.order.title) || '订单 ' + rating.order_id,
        areaName: rating.area_name || '',
        timeText: formatTime(rating.created_at),
        reviewedText: formatTime(rating.reviewed_at),
        low: rating.stars <= 3,
      })
    },

    onFilter(e) {
      const filter = e.currentTarget.dataset.key
      if (filter === this.data.filter) return Promise.resolve()
      this.setData({ filter })
      return this.loadFirst()
    },

    onOpenOrder(e) {
      nav.go('orderDetail', { id: e.currentTarget.dataset.order })
    },

    onReview(e) {
      this.setData({ dialog: { show: true, orderId: e.currentTarget.dataset.order, ratingId: e.currentTarget.dataset.id } })
    },

    onDialogCancel() {
      this.setData({ 'dialog.show': false })
    },

    onDialogConfirm(e) {
      const { orderId, ratingId } = this.data.dialog
      return ordersService.reviewOrder(orderId, e.detail.text).then(
        () => {
          this.setData({ 'dialog.show': false })
          dialog.done('回访已记录')
          if (this.data.filter === 'done') return this.loadFirst({ quiet: true })
          this.removeItem(ratingId)
          return null
        },
        () => null,
      )
    },
  },
})
