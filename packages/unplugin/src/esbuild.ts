/** The autodiff plugin for esbuild: `plugins: [autodiff()]`. */
import { autodiff } from './index.js';

export default autodiff.esbuild;
