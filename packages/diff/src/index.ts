export { differentiate } from './reverse.js';
