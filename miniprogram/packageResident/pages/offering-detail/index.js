// 亮单详情: what a team offers, when, and a big button to order it.
const careBehavior = require('../../../behaviors/care')
const offeringsService = require('../../../services/offerings')
const categoriesService = require('../../../services/categories')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const { categoryName } = require('../../../utils/format')

Component({
  behaviors: [careBehavior],
  data: {
    id: null,
    state: 'loading',
    error: '',
    offering: null,
  },
  methods: {
    onLoad(query) {
      this.setData({ id: query.id })
      return this.load()
    },

    load() {
      this.setData({ state: 'loading' })
      const cached = cache.get('offering', this.data.id)
      // Always fetch: the cached copy from the list only saves a blank screen while loading.
      const found = offeringsService.getOffering(this.data.id, { showError: false }).catch(err => {
        if (cached && !(err && err.statusCode === 404)) return cached
        if (err && err.statusCode === 404) return null
        throw err
      })
      const categories = categoriesService.listCategories({ showError: false }).catch(() => [])
      return Promise.all([found, categories]).then(
        ([offering, list]) => {
          if (!offering) {
            this.setData({ state: 'empty' })
            return
          }
          this.setData({
            state: 'ready',
            offering: Object.assign({}, offering, {
              categoryName: categoryName(offering, list),
              teamName: offering.team_name || (offering.team && offering.team.name) || '',
            }),
          })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    onOrder() {
      const offering = this.data.offering
      cache.put('offering', offering)
      nav.go('orderCreate', { offering_id: offering.id, category: offering.category_code || offering.category })
    },

    retry() {
      return this.load()
    },
  },
})
