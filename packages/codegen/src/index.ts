export { generateModule, type Language, type ModuleOptions } from './module.js';
