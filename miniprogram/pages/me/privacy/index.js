// 个人信息与隐私: 导出我的数据 (GET /me/export) and 注销账号 (DELETE /me).
const careBehavior = require('../../../behaviors/care')
const meService = require('../../../services/me')
const nav = require('../../../utils/nav')
const { toast } = require('../../../utils/request')
const { formatTime } = require('../../../utils/format')
const { ROLE_LABELS } = require('../../../utils/constants')
const { explainFailure } = require('../../../utils/permission')
const log = require('../../../utils/log')

const SECTIONS = [
  ['orders', '订单'],
  ['ratings', '评价'],
  ['points', '积分记录'],
  ['messages', '消息'],
  ['signups', '活动报名'],
  ['redemptions', '积分兑换'],
]
const FILE_NAME = '我的数据.json'
const CONFIRM_TEXT = '将删除：微信账号绑定、姓名、昵称、手机号、头像、工作单位，以及您订单上的联系人、电话和地址。\n' +
  '仍会保留（不再与您关联）：工单、评价、积分和统计数据。\n注销后不能恢复，确定注销吗？'

Component({
  behaviors: [careBehavior],
  data: {
    state: 'loading',
    error: '',
    blocked: '',
    summary: [],
    exportedAt: '',
  },
  methods: {
    onLoad() {
      this.exported = null
      return this.load()
    },

    // What stands in the way of 注销 (the server refuses it with 409 while a role or a team is held).
    load() {
      this.setData({ state: 'loading' })
      return meService.getMe({ showError: false }).then(
        user => {
          const held = (user.roles || []).map(grant => ROLE_LABELS[grant.role] || grant.role)
          if ((user.teams || []).some(team => team.role === 'leader')) held.push('服务队队长')
          this.setData({ state: 'ready', blocked: held.filter((label, i) => held.indexOf(label) === i).join('、') })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    retry() {
      return this.load()
    },

    onExport() {
      return meService.exportData().then(
        data => {
          this.exported = data
          const summary = [{ label: '个人资料', value: (data.profile && (data.profile.real_name || data.profile.nickname)) || '已包含' }]
          SECTIONS.forEach(([key, label]) => summary.push({ label, value: ((data[key] || []).length) + ' 条' }))
          this.setData({ summary, exportedAt: formatTime(data.exported_at) })
        },
        () => null,
      )
    },

    text() {
      return JSON.stringify(this.exported, null, 2)
    },

    // Written to the mini-program's own files, then sent to a chat (文件传输助手) from where it can be kept.
    onSaveFile() {
      if (!this.exported) return Promise.resolve()
      const filePath = wx.env.USER_DATA_PATH + '/' + FILE_NAME
      return new Promise(resolve => {
        wx.getFileSystemManager().writeFile({
          filePath,
          data: this.text(),
          encoding: 'utf8',
          success: () => {
            if (!wx.shareFileMessage) {
              toast('已保存到小程序文件：' + FILE_NAME)
              return resolve()
            }
            wx.shareFileMessage({
              filePath,
              fileName: FILE_NAME,
              success: () => resolve(true),
              // A cancel says nothing; the privacy guide not agreed, or a refusal, is explained.
              fail: res => explainFailure('shareFile', res).then(() => resolve(false)),
            })
          },
          fail: err => {
            log.warn('export writeFile', err)
            toast('保存失败，请用“复制全部内容”')
            resolve()
          },
        })
      })
    },

    onCopy() {
      if (!this.exported) return Promise.resolve(false)
      return new Promise(resolve => {
        wx.setClipboardData({
          data: this.text(), // WeChat itself says 内容已复制
          success: () => resolve(true),
          fail: res => explainFailure('copyData', res).then(() => resolve(false)),
        })
      })
    },

    onRemove() {
      return new Promise(resolve => {
        wx.showModal({
          title: '注销账号',
          content: CONFIRM_TEXT,
          confirmText: '确认注销',
          confirmColor: '#c8161d',
          cancelText: '再想想',
          success: res => resolve(res && res.confirm),
          fail: () => resolve(false),
        })
      }).then(confirmed => {
        if (!confirmed) return null
        return meService.removeAccount().then(
          () => {
            wx.showToast({ title: '账号已注销', icon: 'success' })
            return wx.reLaunch({ url: nav.PAGES.home })
          },
          () => null,
        )
      })
    },
  },
})
