// 加入服务队: join a volunteer team with the invite code its leader or the community gave.
const careBehavior = require('../../../behaviors/care')
const teamsService = require('../../../services/teams')
const meService = require('../../../services/me')
const session = require('../../../utils/session')
const nav = require('../../../utils/nav')
const { validateInviteCode } = require('../../../utils/validate')
const dialog = require('../../../utils/dialog')

Component({
  behaviors: [careBehavior],
  data: {
    code: '',
    error: '',
    joined: null,
  },
  methods: {
    onLoad(query) {
      if (query && query.code) this.setData({ code: decodeURIComponent(query.code) })
    },

    onInput(e) {
      this.setData({ code: e.detail.value, error: '' })
    },

    onSubmit() {
      const error = validateInviteCode(this.data.code)
      if (error) {
        this.setData({ error })
        return Promise.resolve()
      }
      return teamsService.joinTeam(this.data.code.trim()).then(
        team => {
          session.setActiveRole('volunteer')
          this.setData({ joined: team || {} })
          dialog.done('加入成功')
          return meService.getMe({ showError: false }).catch(() => null)
        },
        err => {
          if (err && err.errors && err.errors.invite_code) this.setData({ error: [].concat(err.errors.invite_code)[0] })
        },
      )
    },

    onGoTeam() {
      nav.redirect('team')
    },

    onGoTasks() {
      nav.redirect('tasks')
    },
  },
})
