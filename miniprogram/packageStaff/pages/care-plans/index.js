// 周期服务: the care plans of my areas, newest first; a plan opens its page, 新建 sets one up.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const carePlans = require('../../../services/care-plans')
const cache = require('../../../utils/cache')
const nav = require('../../../utils/nav')
const labels = require('../../../utils/labels')

const TONES = { active: 'tag-success', paused: 'tag-warning', ended: 'tag-muted' }

Component({
  behaviors: [careBehavior, listBehavior],
  methods: {
    onLoad() {
      this._loaded = true
      cache.takeDirty('carePlans')
      return this.loadFirst()
    },

    onShow() {
      if (this._loaded && cache.takeDirty('carePlans')) this.loadFirst({ quiet: true })
    },

    fetchPage(cursor) {
      return carePlans.listPlans({ limit: 20, cursor }, { showError: false })
    },

    decorate(plan) {
      return Object.assign({}, plan, {
        statusLabel: labels.CARE_PLAN_STATUS[plan.status] || plan.status,
        tone: TONES[plan.status] || 'tag-muted',
      })
    },

    onOpen(e) {
      nav.go('carePlan', { id: e.currentTarget.dataset.id })
    },

    onCreate() {
      nav.go('carePlanCreate')
    },
  },
})
