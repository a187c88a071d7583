export { generateModule, type Language, type ModuleOptions } from './module.js';
export { ExportNameError } from './tensor-module.js';
