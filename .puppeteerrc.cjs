// Puppeteer settings: never download a browser; scriptwarden finds an installed one.
module.exports = { skipDownload: true };
