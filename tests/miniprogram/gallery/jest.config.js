// The page gallery's renderer (make screenshots, tests/test_miniprogram_gallery.py): not part of `npx jest`.
module.exports = {
  rootDir: '../../..',
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/miniprogram/gallery'],
  setupFiles: ['<rootDir>/tests/miniprogram/setup.js'],
  testMatch: ['**/*.gallery.js'],
  clearMocks: true,
}
