// 亮单审核: staff approve or reject the services teams want to publish.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const offeringsService = require('../../../services/offerings')
const categoriesService = require('../../../services/categories')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const { categoryName } = require('../../../utils/format')
const dialog = require('../../../utils/dialog')
const labels = require('../../../utils/labels')

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    rejecting: { show: false, id: null },
    words: {
      pending: labels.OFFERING_STATUS.pending,
      approve: labels.OFFERING_ACTION.approve,
      reject: labels.OFFERING_ACTION.reject,
    },
    rejectOptions: ['服务内容写得不清楚', '不属于志愿服务范围', '与已有服务重复'],
  },
  methods: {
    onLoad() {
      return this.loadFirst()
    },

    fetchPage(cursor) {
      return Promise.all([
        categoriesService.listCategories({ showError: false }).catch(() => []),
        meService.currentUser().catch(() => null),
      ]).then(([categories, user]) => {
        this._categories = categories
        const area = session.staffAreas(user)[0]
        return offeringsService.listOfferings(
          { status: 'pending', area_id: area && area.id, limit: 20, cursor },
          { showError: false },
        )
      }).then(page => ({
        // Staff also see published ones in some lists: keep the pending.
        items: (page.items || []).filter(item => !item.status || item.status === 'pending'),
        next_cursor: page.next_cursor,
      }))
    },

    decorate(offering) {
      return Object.assign({}, offering, {
        categoryName: categoryName(offering, this._categories),
        teamName: offering.team_name || (offering.team && offering.team.name) || '',
      })
    },

    onApprove(e) {
      const id = e.currentTarget.dataset.id
      return dialog.confirm('通过后居民就能在首页看到这项服务。', { title: '通过审核', confirmText: '通过' }).then(ok => {
        if (!ok) return null
        return offeringsService.approveOffering(id).then(
          () => {
            dialog.done('已通过')
            this.removeItem(id)
          },
          () => null,
        )
      })
    },

    // 不通过 needs a reason for the team: asked in the reason dialog.
    onReject(e) {
      this.setData({ rejecting: { show: true, id: e.currentTarget.dataset.id } })
    },

    onRejectCancel() {
      this.setData({ 'rejecting.show': false })
    },

    onRejectConfirm(e) {
      const id = this.data.rejecting.id
      return offeringsService.rejectOffering(id, e.detail.text).then(
        () => {
          this.setData({ 'rejecting.show': false })
          wx.showToast({ title: '审核' + labels.OFFERING_STATUS.rejected, icon: 'none' })
          this.removeItem(id)
        },
        () => null,
      )
    },
  },
})
