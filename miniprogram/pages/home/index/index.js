// 首页 · 亮单大厅: categories and the services volunteer teams have published.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const categoriesService = require('../../../services/categories')
const offeringsService = require('../../../services/offerings')
const meService = require('../../../services/me')
const messages = require('../../../services/messages')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const session = require('../../../utils/session')
const { categoryName } = require('../../../utils/format')

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    nickname: '',
    hasCommunity: true,
    categories: [],
    categoryState: 'loading',
    activeCategory: '',
    careOffer: false,
  },
  methods: {
    onLoad() {
      // First launch: offer 关怀模式 (or say it is on, when WeChat's own font size is large) until answered.
      this.setData({ careOffer: !session.careOffered() })
      return Promise.all([this.loadCategories(), this.loadFirst()])
    },

    onShow() {
      messages.refreshBadge()
    },

    refreshPage() {
      return Promise.all([this.loadCategories(true), this.loadFirst({ quiet: true })])
    },

    loadCategories(refresh) {
      return categoriesService.listCategories({ refresh, showError: false }).then(
        categories => this.setData({ categories, categoryState: categories.length ? 'ready' : 'empty' }),
        () => this.setData({ categoryState: 'error' }),
      )
    },

    fetchPage(cursor) {
      return meService
        .currentUser()
        .catch(() => null)
        .then(user => {
          this.setData({
            nickname: (user && (user.real_name || user.nickname)) || '',
            hasCommunity: !!(user && user.home_area_id),
          })
          return offeringsService.listOfferings(
            {
              area_id: user && user.home_area_id,
              category: this.data.activeCategory,
              limit: 20,
              cursor,
            },
            { showError: false },
          )
        })
    },

    decorate(offering) {
      return Object.assign({}, offering, {
        categoryName: categoryName(offering, this.data.categories),
        teamName: offering.team_name || (offering.team && offering.team.name) || '',
      })
    },

    onCareOffer(e) {
      session.setCareMode(!!e.currentTarget.dataset.on)
      session.setCareOffered()
      this.setData({ careOffer: false })
      this.syncCare()
    },

    onCareToggled() {
      this.syncCare()
    },

    onPickCategory(e) {
      const code = e.currentTarget.dataset.code
      this.setData({ activeCategory: code === this.data.activeCategory ? '' : code })
      return this.loadFirst()
    },

    onOpenOffering(e) {
      const id = e.currentTarget.dataset.id
      cache.put('offering', this.data.items.find(item => item.id === id))
      nav.go('offeringDetail', { id })
    },

    onOrderOffering(e) {
      const id = e.currentTarget.dataset.id
      const offering = this.data.items.find(item => item.id === id)
      cache.put('offering', offering)
      nav.go('orderCreate', { offering_id: id, category: offering && (offering.category_code || offering.category) })
    },

    onOrder() {
      nav.go('orderCreate', { category: this.data.activeCategory })
    },

    onSetCommunity() {
      nav.go('profile')
    },
  },
})
