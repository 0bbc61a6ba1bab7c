export { mountWebUi, webUiRoot } from './web-ui.js';
