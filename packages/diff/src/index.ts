export { vjp } from './reverse.js';
