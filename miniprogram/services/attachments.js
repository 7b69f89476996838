// Photos: uploaded as multipart `file`, shown through an authorised download.
const { upload, download } = require('../utils/request')

const ROUTES = {
  upload: { method: 'POST', path: '/attachments' },
  get: { method: 'GET', path: '/attachments/{id}' },
}

const MAX_BYTES = 5 * 1024 * 1024

/** Upload one local file; resolves with the attachment ({ id, … }). */
function uploadPhoto(filePath) {
  return upload(ROUTES.upload, { filePath, name: 'file', loading: '正在上传照片…' })
}

// Local copies of downloaded photos, so lists do not fetch them twice.
const localPaths = {}

/** A local path that an <image> can show for an attachment id. */
function photoPath(id) {
  if (localPaths[id]) return Promise.resolve(localPaths[id])
  return download(ROUTES.get, { params: { id } }).then(path => {
    localPaths[id] = path
    return path
  })
}

/** Orders may carry photo ids or objects with an id (and maybe a url). */
function photoId(photo) {
  if (!photo) return ''
  return typeof photo === 'object' ? String(photo.id || '') : String(photo)
}

module.exports = { ROUTES, MAX_BYTES, uploadPhoto, photoPath, photoId }
