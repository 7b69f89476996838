// Jest runs the mini-program's tests only; the backend has its own pytest suite.
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/miniprogram'],
  setupFiles: ['<rootDir>/tests/miniprogram/setup.js'],
  testMatch: ['**/*.test.js'],
  clearMocks: true,
}
