// 评单: the resident rates a completed service with stars, tags and a comment.
const careBehavior = require('../../../behaviors/care')
const orderForm = require('../../../behaviors/order-form')
const ordersService = require('../../../services/orders')
const { toast } = require('../../../utils/request')
const { RATING_TAGS } = require('../../../utils/constants')
const { validateRating, firstError } = require('../../../utils/validate')

Component({
  behaviors: [careBehavior, orderForm],
  data: {
    backTo: 'myOrders',
    stars: 0,
    tagOptions: [],
    tagItems: [], // [{ name, active }] for the template
    tags: [],
    comment: '',
    errors: {},
  },
  methods: {
    load() {
      return this.loadFor('rate')
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
      return this.submitAction(() => ordersService.rateOrder(this.data.id, body), '感谢您的评价')
    },
  },
})
