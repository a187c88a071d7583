/** The autodiff plugin for rollup: `plugins: [autodiff()]`. */
import { autodiff } from './index.js';

export default autodiff.rollup;
