// 数据统计: the figures of an area for a period (受理量, 办结率, 满意率 …).
const careBehavior = require('../../../behaviors/care')
const statsService = require('../../../services/stats')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const { PERIODS, periodRange, rangeText } = require('../../../utils/period')
const { percent, duration, number } = require('../../../utils/format')

function figures(summary) {
  return {
    main: [
      { key: 'received', label: '受理量', value: number(summary.received), unit: '单' },
      { key: 'completed', label: '办结量', value: number(summary.completed), unit: '单' },
      { key: 'completion_rate', label: '办结率', value: percent(summary.completion_rate) },
      { key: 'satisfaction_rate', label: '满意率', value: percent(summary.satisfaction_rate) },
    ],
    more: [
      { key: 'on_time_rate', label: '按时办结率', value: percent(summary.on_time_rate) },
      { key: 'response_minutes', label: '响应时长（中位数）', value: duration(summary.response_minutes) },
      { key: 'avg_stars', label: '平均评分', value: summary.avg_stars === null || summary.avg_stars === undefined ? '—' : Number(summary.avg_stars).toFixed(1) + ' 星' },
      { key: 'rated', label: '评价数', value: number(summary.rated) + ' 条' },
      { key: 'overdue_open', label: '超期未办', value: number(summary.overdue_open) + ' 单', alert: summary.overdue_open > 0 },
      { key: 'cancelled', label: '已取消', value: number(summary.cancelled) + ' 单' },
      { key: 'volunteer_services', label: '志愿服务人次', value: number(summary.volunteer_services) },
      { key: 'points_awarded', label: '发放积分', value: number(summary.points_awarded) },
      { key: 'points_redeemed', label: '积分超市兑换', value: number(summary.points_redeemed || 0) },
    ],
  }
}

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    periods: PERIODS,
    period: 'month',
    rangeText: '',
    areas: [],
    areaId: null,
    main: [],
    more: [],
  },
  methods: {
    onLoad() {
      return meService
        .currentUser()
        .catch(() => null)
        .then(user => {
          const areas = session.staffAreas(user)
          this.setData({ areas, areaId: areas.length ? areas[0].id : null })
          return this.load()
        })
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return this.load().then(stop, stop)
    },

    load() {
      const range = periodRange(this.data.period)
      this.setData({ state: 'loading', rangeText: rangeText(range) })
      return statsService
        .getSummary({ area_id: this.data.areaId, from: range.from, to: range.to }, { showError: false })
        .then(
          summary => this.setData(Object.assign({ state: 'ready' }, figures(summary))),
          err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
        )
    },

    onPeriod(e) {
      this.setData({ period: e.currentTarget.dataset.key })
      return this.load()
    },

    onArea(e) {
      this.setData({ areaId: e.currentTarget.dataset.id })
      return this.load()
    },

    retry() {
      return this.load()
    },
  },
})
