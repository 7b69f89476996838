// 评单: the resident rates a completed service with stars, tags and a comment.
const careBehavior = require('../../../behaviors/care')
const ordersService = require('../../../services/orders')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { RATING_TAGS } = require('../../../utils/constants')
const { validateRating, firstError } = require('../../../utils/validate')

Component({
  behaviors: [careBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    order: null,
    stars: 0,
    tagOptions: [],
    tagItems: [], // [{ name, active }] for the template
    tags: [],
    comment: '',
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
          const canRate = (order.allowed_actions || []).indexOf('rate') >= 0
          this.setData({ order, state: canRate ? 'ready' : 'empty' })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onStars(e) {
      const stars = e.detail.value
      const tagOptions = stars >= 4 ? RATING_TAGS.good : RATING_TAGS.bad
      // Keep only the tags that still fit the new score.
      const tags = this.data.tags.filter(tag => tagOptions.indexOf(tag) >= 0)
      this.setData({ stars, tagOptions, tags, tagItems: this.tagItems(tagOptions, tags), 'errors.stars': '' })
    },

    onTag(e) {
      const tag = e.currentTarget.dataset.tag
      const tags = this.data.tags.indexOf(tag) >= 0 ? this.data.tags.filter(t => t !== tag) : this.data.tags.concat([tag])
      this.setData({ tags, tagItems: this.tagItems(this.data.tagOptions, tags), 'errors.comment': '' })
    },

    tagItems(options, tags) {
      return options.map(name => ({ name, active: tags.indexOf(name) >= 0 }))
    },

    onComment(e) {
      this.setData({ comment: e.detail.value, 'errors.comment': '' })
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const form = { stars: this.data.stars, tags: this.data.tags, comment: this.data.comment }
      const errors = validateRating(form)
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const body = { stars: form.stars }
      if (form.tags.length) body.tags = form.tags
      if (form.comment.trim()) body.comment = form.comment.trim()
      this.setData({ submitting: true })
      return ordersService.rateOrder(this.data.id, body).then(
        order => {
          this.setData({ submitting: false })
          cache.markDirty('orders')
          wx.showToast({ title: '感谢您的评价', icon: 'success' })
          setTimeout(() => nav.back('myOrders'), 800)
          return order
        },
        () => {
          this.setData({ submitting: false })
          return null
        },
      )
    },

    onBack() {
      nav.back('myOrders')
    },

    retry() {
      return this.load()
    },
  },
})
