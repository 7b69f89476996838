// Pick photos with wx.chooseMedia and upload each to POST /attachments.
const attachments = require('../../services/attachments')
const { toast } = require('../../utils/request')
const { explainFailure } = require('../../utils/permission')
const log = require('../../utils/log')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    max: { type: Number, value: 3 },
  },
  data: {
    photos: [], // [{ id, path }]
    uploading: false,
  },
  methods: {
    onAdd() {
      const left = this.data.max - this.data.photos.length
      if (left <= 0 || this.data.uploading) return Promise.resolve()
      return new Promise(resolve => {
        wx.chooseMedia({
          count: left,
          mediaType: ['image'],
          sourceType: ['album', 'camera'],
          sizeType: ['compressed'],
          success: res => resolve(this.uploadAll(res.tempFiles || [])),
          // A cancel needs nothing; a refused permission or an unagreed privacy guide is explained.
          fail: res => resolve(explainFailure('photos', res).then(() => null)),
        })
      })
    },

    uploadAll(files) {
      const fitting = files.filter(file => !file.size || file.size <= attachments.MAX_BYTES)
      if (fitting.length < files.length) toast('照片不能超过 5MB，已跳过过大的照片')
      if (!fitting.length) return Promise.resolve()
      this.setData({ uploading: true })
      // One after another: gentler on weak networks and keeps the order the user chose.
      return fitting
        .reduce(
          (chain, file) =>
            chain.then(() =>
              attachments.uploadPhoto(file.tempFilePath).then(
                saved => {
                  const photos = this.data.photos.concat([{ id: saved.id, path: file.tempFilePath }])
                  this.setData({ photos })
                },
                err => log.warn('photo upload', err), // the toast has told the user; keep the others
              ),
            ),
          Promise.resolve(),
        )
        .then(() => {
          this.setData({ uploading: false })
          this.emitChange()
        })
    },

    onRemove(e) {
      const index = e.currentTarget.dataset.index
      const photos = this.data.photos.filter((photo, i) => i !== index)
      this.setData({ photos })
      this.emitChange()
    },

    onPreview(e) {
      const urls = this.data.photos.map(photo => photo.path)
      wx.previewImage({ urls, current: urls[e.currentTarget.dataset.index] })
    },

    emitChange() {
      this.triggerEvent('change', { ids: this.data.photos.map(photo => photo.id), photos: this.data.photos })
    },

    /** The uploaded attachment ids, for forms that read them directly. */
    getIds() {
      return this.data.photos.map(photo => photo.id)
    },

    isUploading() {
      return this.data.uploading
    },
  },
})
