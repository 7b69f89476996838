// 我的服务记录: my service hours, services and activities for a period, and the 志愿服务记录证明 for it
// (issued on the server as a PDF, downloaded and opened with wx.openDocument).
const careBehavior = require('../../../behaviors/care')
const recordsService = require('../../../services/records')
const { SERVICE_KIND } = require('../../../utils/labels')
const { duration, formatDate } = require('../../../utils/format')
const { periodRange } = require('../../../utils/period')
const { toast } = require('../../../utils/request')
const log = require('../../../utils/log')

const PERIODS = [
  { key: 'all', label: '全部' },
  { key: 'year', label: '今年' },
  { key: 'last_year', label: '去年' },
  { key: 'custom', label: '自选时间' },
]

/** YYYY-MM-DD one day later (the API's `to` is exclusive; the pickers show the last day). */
function nextDay(day) {
  const d = new Date(Date.parse(day + 'T00:00:00Z') + 24 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}

function hoursText(minutes) {
  return (Math.round(((minutes || 0) / 60) * 10) / 10).toString()
}

Component({
  behaviors: [careBehavior],
  data: {
    periods: PERIODS,
    period: 'all',
    customFrom: '',
    customTo: '',
    today: '',
    state: 'loading',
    error: '',
    record: null,
    hours: '0',
    items: [],
    nextCursor: null,
    loadingMore: false,
    moreError: false,
    certificates: [],
    issuing: false,
  },
  methods: {
    onLoad() {
      const today = formatDate(Date.now())
      this.setData({ today, customFrom: today.slice(0, 4) + '-01-01', customTo: today })
      return Promise.all([this.load(), this.loadCertificates()])
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return Promise.all([this.load(), this.loadCertificates()]).then(stop, stop)
    },

    onReachBottom() {
      if (!this.data.nextCursor || this.data.loadingMore) return Promise.resolve()
      this.setData({ loadingMore: true, moreError: false })
      const query = Object.assign({ limit: 20, cursor: this.data.nextCursor }, this.range())
      return recordsService.myRecord(query, { showError: false }).then(
        res => this.setData({
          items: this.data.items.concat(this.decorateItems(res.items)),
          nextCursor: res.next_cursor || null,
          loadingMore: false,
        }),
        () => this.setData({ loadingMore: false, moreError: true }),
      )
    },

    /** The chosen period as { from, to } (to exclusive), or {} for everything. */
    range() {
      const period = this.data.period
      if (period === 'year') return periodRange('year')
      if (period === 'last_year') {
        const year = Number(this.data.today.slice(0, 4)) - 1
        return { from: year + '-01-01', to: year + 1 + '-01-01' }
      }
      if (period === 'custom') return { from: this.data.customFrom, to: nextDay(this.data.customTo) }
      return {}
    },

    load() {
      this.setData({ state: 'loading' })
      return recordsService.myRecord(Object.assign({ limit: 20 }, this.range()), { showError: false }).then(
        record => this.setData({
          state: 'ready',
          record,
          hours: hoursText(record.total_minutes),
          avgStars: record.avg_stars ? (Math.round(record.avg_stars * 10) / 10).toFixed(1) : '',
          items: this.decorateItems(record.items),
          nextCursor: record.next_cursor || null,
        }),
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    decorateItems(items) {
      return (items || []).map(item => Object.assign({}, item, {
        key: item.kind + '-' + item.id + '-' + item.date,
        kindText: SERVICE_KIND[item.kind] || '',
        minutesText: duration(item.minutes),
        starsText: item.stars ? item.stars + ' 星' : '',
      }))
    },

    loadCertificates() {
      return recordsService.myCertificates({ limit: 5 }, { showError: false }).then(
        res => this.setData({ certificates: this.decorateCertificates(res.items) }),
        err => {
          log.warn('service-record: certificates', err && err.message) // the list is extra: the page stands without it
          this.setData({ certificates: [] })
        },
      )
    },

    decorateCertificates(items) {
      return (items || []).map(cert => Object.assign({}, cert, {
        periodText: formatDate(cert.from) + ' 至 ' + formatDate(Date.parse(cert.to) - 1000),
        hoursText: hoursText(cert.total_minutes),
        issuedText: formatDate(cert.issued_at),
      }))
    },

    onPeriod(e) {
      const period = e.currentTarget.dataset.key
      if (period === this.data.period) return Promise.resolve()
      this.setData({ period })
      return this.load()
    },

    onCustomFrom(e) {
      this.setData({ customFrom: e.detail.value })
      return this.load()
    },

    onCustomTo(e) {
      this.setData({ customTo: e.detail.value })
      return this.load()
    },

    /** Issue a certificate for the chosen period, then open its PDF. */
    onIssue() {
      if (this.data.issuing) return Promise.resolve()
      if (this.data.period === 'custom' && this.data.customFrom > this.data.customTo) {
        toast('开始日期不能晚于结束日期')
        return Promise.resolve()
      }
      this.setData({ issuing: true })
      return recordsService.issueCertificate(this.range()).then(
        cert => {
          this.setData({ issuing: false, certificates: this.decorateCertificates([cert]).concat(this.data.certificates) })
          return this.open(cert.code)
        },
        () => this.setData({ issuing: false }),
      )
    },

    onOpen(e) {
      return this.open(e.currentTarget.dataset.code)
    },

    /** Download the certificate's PDF (with my token) and show it in WeChat's document viewer. */
    open(code) {
      return recordsService.downloadCertificate(code).then(
        filePath => new Promise(resolve => {
          wx.openDocument({
            filePath,
            fileType: 'pdf',
            showMenu: true,
            success: () => resolve(true),
            fail: res => {
              log.warn('service-record: openDocument', res && res.errMsg)
              toast('无法打开证明文件，请稍后再试')
              resolve(false)
            },
          })
        }),
        err => {
          log.warn('certificate download', err)
          toast((err && err.message) || '证明下载失败，请稍后再试')
          return false
        },
      )
    },

    retry() {
      return this.load()
    },
  },
})
